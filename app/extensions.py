"""The process-wide singletons, bound to the app in ``create_app``.

Flask-AppBuilder keeps its views on the AppBuilder object, so each app gets its
own; ``appbuilder`` here is the current app's.
"""

import time

from flask import current_app
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool
from werkzeug.local import LocalProxy

from app.models.search import include_name as include_search_index

db = SQLA()
mail = Mail()
migrate = Migrate(render_as_batch=True, compare_type=True, include_name=include_search_index)
appbuilder = LocalProxy(lambda: current_app.appbuilder)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# A pooled connection idle longer than this is tested before use (a database restarted
# meanwhile would have closed it); a busy process sends no test statement.
POOL_PING_AFTER_IDLE = 10  # seconds


@event.listens_for(Pool, "checkin")
def _note_idle(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_when_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    """SQLAlchemy's pre-ping, but only after an idle spell: a dead connection is replaced, not used."""
    idle_since = connection_record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < POOL_PING_AFTER_IDLE:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception as error:  # any failure: the pool discards the connection and connects anew
        raise DisconnectionError() from error
