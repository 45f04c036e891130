"""When the database goes away in the middle of a request.

A connection dropped by the server (a restart, a failover, an administrator's
``pg_terminate_backend``) or a database locked past its busy timeout raises
``OperationalError`` wherever the request happens to be. Some of Flask-AppBuilder's
doors catch every exception (the REST API's ``@safe`` answers a bare 500, its forms
flash a "general error"), so the error is noticed where SQLAlchemy reports it: the
engine's ``handle_error`` event marks the request, and the response becomes a 503
with a readable message, after the session is rolled back. The server has already
rolled back the transaction, so nothing of the change is saved; the next request
gets a fresh connection (``pool_pre_ping``, and SQLAlchemy drops a pool whose
connection was cut) and works without a restart.
"""

import logging

from flask import g, has_request_context, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)

UNAVAILABLE = _("The database could not be reached, so nothing was saved. Try again in a moment.")
RETRY_AFTER_SECONDS = 5
_MARK = "database_unavailable"


@event.listens_for(Engine, "handle_error")
def _mark_request(context) -> None:
    if getattr(context, "is_pre_ping", False):
        return  # the pool tests a connection before use and replaces it quietly
    if not (context.is_disconnect or isinstance(context.sqlalchemy_exception, OperationalError)):
        return
    if has_request_context():
        setattr(g, _MARK, True)


def unavailable_response():
    """503 with the message: JSON for the API, a page (that needs no database) for people."""
    message = str(UNAVAILABLE)
    if request.path.startswith("/api/"):
        response = jsonify(message=message)
    else:
        response = make_response(render_template("unavailable.html", message=message))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _rollback() -> None:
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:
        log.warning("rollback after a lost database connection failed", exc_info=True)
    db.session.remove()


def on_operational_error(error):
    log.error("database unavailable during %s %s: %s", request.method, request.path, error)
    setattr(g, _MARK, True)
    _rollback()
    return unavailable_response()


def replace_response(response):
    """A request during which the database went away answers 503, whoever caught the error."""
    if getattr(g, _MARK, False) and response.status_code != 503:
        log.error("database unavailable during %s %s", request.method, request.path)
        _rollback()
        return unavailable_response()
    return response


def init_app(app) -> None:
    app.register_error_handler(OperationalError, on_operational_error)
    app.after_request(replace_response)
