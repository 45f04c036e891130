"""The process-wide singletons, bound to the app in ``create_app``.

Flask-AppBuilder keeps its views on the AppBuilder object, so each app gets its
own; ``appbuilder`` here is the current app's.
"""

from flask import current_app
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine
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
