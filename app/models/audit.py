"""The audit log (SPEC.md §8): who changed what, when, from every door.

Rows are written by a session listener in the same transaction as the change,
so a rolled-back change leaves no trace and a committed one always has one.
On PostgreSQL they are sent with the transaction's COMMIT, in the same message
(app.round_trip): nothing reads the log of a change before it is committed.
Inside a savepoint they are written at once, so that rolling the savepoint
back takes them too.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import g, has_request_context
from flask_appbuilder import Model
from sqlalchemy import JSON, Column, Index, Integer, String, bindparam, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from app import round_trip
from app.models.types import UTCDateTime

SYSTEM = "system"
_acting_as: ContextVar[str | None] = ContextVar("acting_as", default=None)


class AuditLog(Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_row", "table_name", "row_id"),)

    id = Column(Integer, primary_key=True)
    table_name = Column(String(64), nullable=False)
    row_id = Column(Integer, nullable=False)
    action = Column(String(8), nullable=False)
    user = Column(String(128), nullable=False, index=True)
    changes = Column(JSON, nullable=False)
    created_on = Column(UTCDateTime, nullable=False, index=True)


class AuditLogIsReadOnly(Exception):
    pass


@contextmanager
def acting_as(username: str):
    """Attribute the changes made inside the block to ``username`` (jobs, scripts)."""
    token = _acting_as.set(username)
    try:
        yield
    finally:
        _acting_as.reset(token)


def acting_username() -> str:
    name = _acting_as.get()
    if name:
        return name
    if has_request_context():
        user = getattr(g, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user.username
    return SYSTEM


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _column_changes(obj, action: str) -> dict:
    state = inspect(obj)
    loaded = state.dict
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if action == "create":
            # The values just inserted; one the database made and has not returned is read.
            value = loaded[key] if key in loaded else getattr(obj, key)
            if value is not None:
                changes[key] = [None, _plain(value)]
        elif action == "delete":
            value = loaded.get(key)
            if value is not None:
                changes[key] = [_plain(value), None]
        else:
            history = state.attrs[key].history
            if history.has_changes():
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if old != new:
                    changes[key] = [_plain(old), _plain(new)]
    return changes


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_the_log(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsReadOnly("The audit log cannot be changed or deleted.")


@event.listens_for(Session, "after_flush")
def _record(session, flush_context):
    rows = []
    now = datetime.now(UTC)
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not getattr(obj, "audited", False):
                continue
            changes = _column_changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "table_name": obj.__tablename__,
                    "row_id": inspect(obj).mapper.primary_key_from_instance(obj)[0],
                    "action": action,
                    "user": acting_username(),
                    "changes": changes,
                    "created_on": now,
                }
            )
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and not connection.in_nested_transaction():
        connection.info.setdefault(_WITH_COMMIT, []).extend(rows)
    else:
        # One row (the usual save) as a plain statement: a list takes the driver's many-rows path.
        connection.execute(_INSERT, rows[0] if len(rows) == 1 else rows)


# The log's rows of the transaction, waiting for its COMMIT (kept with the connection).
_WITH_COMMIT = "audit_rows_with_commit"
_INSERT = AuditLog.__table__.insert().values(
    {column.name: bindparam(column.name, type_=column.type) for column in AuditLog.__table__.c if column.name != "id"}
)


@event.listens_for(Engine, "commit")
def _write_with_commit(connection) -> None:
    rows = connection.info.pop(_WITH_COMMIT, None)
    if rows:
        round_trip.insert_and_commit(connection, _INSERT, rows)


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "rollback")
def _forget(connection) -> None:
    """A transaction rolled back, or one begun after a connection was lost: nothing of before is written."""
    if not connection.invalidated:  # a lost connection took its rows with it
        connection.info.pop(_WITH_COMMIT, None)


@event.listens_for(Pool, "reset")
def _forget_on_reset(dbapi_connection, connection_record, reset_state) -> None:
    connection_record.info.pop(_WITH_COMMIT, None)
