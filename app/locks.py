"""Locks that hold on every database the app runs on, SQLite included.

A rule that reads a total and then writes against it (a refund within a limit)
must not let two transactions read the same total. PostgreSQL locks the row
read with ``SELECT … FOR UPDATE``. SQLite has no row locks and ignores
``FOR UPDATE``: there the transaction takes the database's write lock before it
reads, so a second one waits (up to the driver's busy timeout) until the first
has committed, and then reads what it wrote.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session


def lock_row(session: Session, column, value) -> None:
    """Hold the row whose ``column`` is ``value`` until the session's transaction ends."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        session.execute(select(column).where(column == value).with_for_update())
        return
    if connection.connection.dbapi_connection.in_transaction:
        # The transaction is open (the driver opens one before its first write): a write
        # that matches no row takes the write lock now, or at once if held already.
        connection.exec_driver_sql(f"DELETE FROM {column.table.name} WHERE 0")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
