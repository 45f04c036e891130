"""Pooled connections: one that died while idle (a restarted database) is replaced, not used."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import extensions
from app.extensions import db


def _idle_connection_closed_behind_the_pool(engine) -> None:
    engine.dispose()  # one pooled connection, the one closed below
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
    raw.close()  # as a database server restarted meanwhile would


def test_a_connection_closed_while_idle_is_replaced(app, monkeypatch):
    monkeypatch.setattr(extensions, "POOL_PING_AFTER_IDLE", 0)
    with app.app_context():
        _idle_connection_closed_behind_the_pool(db.engine)
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1


def test_a_connection_used_moments_ago_is_not_tested(app):
    """Within POOL_PING_AFTER_IDLE no test statement is sent: the connection is used as it is."""
    with app.app_context():
        _idle_connection_closed_behind_the_pool(db.engine)
        with pytest.raises(DBAPIError), db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        db.engine.dispose()
