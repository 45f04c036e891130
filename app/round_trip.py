"""A few statements in one round trip to PostgreSQL.

Every statement waits for the server's answer before the next is sent; on a
busy machine that wait, more than the statement, is what a short statement
costs. ``first_rows`` sends several statements at once (psycopg's pipeline
mode), in the connection's transaction (psycopg sends its BEGIN just before),
and reads their answers together. The server still runs them one after the
other, each with its own snapshot, so a lock taken by the first holds for what
the next one reads. ``insert_and_commit`` sends rows to insert with the COMMIT
of their transaction, for rows that nothing reads before it commits (the audit
log, app.models.audit).

It is for short statements built once (SQL expressions cached by the caller):
each is compiled once per dialect, its values converted by their types as
SQLAlchemy converts them. A failure is reported as SQLAlchemy reports any
statement's (the same exception classes, the engine's ``handle_error`` event, a
lost connection invalidated), so app.outages answers 503 all the same.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: object
    bind_processors: dict
    result_processors: tuple

    def parameters(self, values: dict) -> dict:
        parameters = self.compiled.construct_params(values)
        for name, process in self.bind_processors.items():
            parameters[name] = process(parameters[name])
        return parameters

    def row(self, cursor) -> dict | None:
        if cursor.description is None:  # a statement that returns no rows (SET, …)
            return None
        row = cursor.fetchone()
        if row is None:
            return None
        names = [column.name for column in cursor.description]
        processors = self.result_processors or (None,) * len(names)  # a text() statement names no types
        return {
            name: process(value) if process else value
            for name, value, process in zip(names, row, processors, strict=True)
        }


_compiled: dict[tuple[int, str], tuple[ClauseElement, _Compiled]] = {}
_lock = threading.Lock()


def _compile(statement: ClauseElement, dialect) -> _Compiled:
    key = (id(statement), dialect.name)
    found = _compiled.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    compiled = statement.compile(dialect=dialect)
    bind_processors = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            bind_processors[name] = process
    columns = getattr(statement, "selected_columns", ())
    result_processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    made = _Compiled(compiled.string, compiled, bind_processors, result_processors)
    with _lock:  # the statement is kept with its compiled form, so its id is not reused meanwhile
        _compiled[key] = (statement, made)
    return made


def first_rows(connection: Connection, *statements: tuple[ClauseElement, dict]) -> list[dict | None]:
    """The first row of each ``(statement, values)`` as a dict of its columns (None when it returns no
    rows), all sent in one round trip."""
    dialect = connection.dialect
    prepared = [(_compile(statement, dialect), values) for statement, values in statements]
    raw = connection.connection.driver_connection
    sql, parameters = None, None
    try:
        cursors = []
        with raw.pipeline():
            for compiled, values in prepared:
                sql, parameters = compiled.sql, compiled.parameters(values)
                cursors.append(raw.execute(sql, parameters))
        return [compiled.row(cursor) for (compiled, _values), cursor in zip(prepared, cursors, strict=True)]
    except dialect.loaded_dbapi.Error as error:
        # SQLAlchemy's own path for a failed statement: wraps the error, runs handle_error,
        # invalidates a lost connection, and raises.
        connection._handle_dbapi_exception(error, sql, parameters, None, None)


def insert_and_commit(connection: Connection, insert: ClauseElement, rows: list[dict]) -> None:
    """Run ``insert`` (built once, its values bound by name) for each of ``rows``, and COMMIT, in one message.

    For the engine's ``commit`` event, which runs just before the driver's commit: that
    commit then finds the transaction ended and sends nothing. If an insert fails, the
    server skips the COMMIT and the transaction fails as a whole, as a failed commit does.
    """
    compiled = _compile(insert, connection.dialect)
    # Values are put into the SQL text, quoted by the driver: several statements go in one message.
    cursor = psycopg.ClientCursor(connection.connection.driver_connection)
    sql = None
    try:
        inserts = [cursor.mogrify(compiled.sql, compiled.parameters(row)) for row in rows]
        sql = ";\n".join([*inserts, "COMMIT"])
        cursor.execute(sql)
    except connection.dialect.loaded_dbapi.Error as error:
        connection._handle_dbapi_exception(error, sql, None, None, None)
