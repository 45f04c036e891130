"""Signed-in sessions that end on the server when their user signs out.

The session cookie is signed, not stored: a copy taken before sign-out would open
every page until it expires (``PERMANENT_SESSION_LIFETIME``). So each sign-in gets
an id, kept in its cookie; signing out lists that id as ended in Redis, where every
process looks before it takes a session (one ``EXISTS`` per signed-in request, no
SQL), for as long as any cookie of it could still be valid. A cookie that names a
user but no sign-in id (made by an earlier version) counts as ended.

Redis down: the process that signed the session out refuses it from its own
memory; other processes, which cannot ask, take it until Redis answers again (they
try again every ``REDIS_RETRY_SECONDS``, so that no page waits on a Redis that is down).
"""

import secrets
import threading
import time

from flask import current_app, session
from flask_login import user_logged_in
from redis import RedisError

from app import queue

SIGN_IN_ID = "_sign_in"
# Flask-Login's key for the signed-in user's id in the session.
USER_ID = "_user_id"
ENDED_KEY = "signed-out:{}"
REDIS_RETRY_SECONDS = 5

_ended_here: dict[str, float] = {}  # sign-in id → when its last cookie expires (time.monotonic)
_lock = threading.Lock()
# Per app, in app.extensions: until when (time.monotonic) its Redis is taken as down.
REDIS_DOWN_UNTIL = "sessions_redis_down_until"


def _lifetime_seconds() -> int:
    return int(current_app.permanent_session_lifetime.total_seconds())


def _redis():
    """The app's Redis, or None while it is known to be down."""
    if time.monotonic() < current_app.extensions.get(REDIS_DOWN_UNTIL, 0):
        return None
    return queue.connection()


def _redis_failed() -> None:
    current_app.extensions[REDIS_DOWN_UNTIL] = time.monotonic() + REDIS_RETRY_SECONDS
    current_app.logger.warning("Redis is down: signed-out sessions are checked in this process only.")


@user_logged_in.connect
def _new_sign_in(sender, user, **extra) -> None:
    session[SIGN_IN_ID] = secrets.token_urlsafe(24)


def end_this_session() -> None:
    """End the request's session for every process: its cookie, and any copy of it, is refused from now on."""
    sign_in_id = session.pop(SIGN_IN_ID, None)
    if not sign_in_id:
        return
    now = time.monotonic()
    with _lock:
        for ended in [key for key, until in _ended_here.items() if until < now]:
            del _ended_here[ended]
        _ended_here[sign_in_id] = now + _lifetime_seconds()
    redis = _redis()
    if redis is None:
        return
    try:
        redis.set(ENDED_KEY.format(sign_in_id), 1, ex=_lifetime_seconds())
    except RedisError:
        _redis_failed()


def is_ended(sign_in_id: str) -> bool:
    if _ended_here.get(sign_in_id, 0) > time.monotonic():
        return True
    redis = _redis()
    if redis is None:
        return False
    try:
        return bool(redis.exists(ENDED_KEY.format(sign_in_id)))
    except RedisError:
        _redis_failed()
        return False


def refuse_ended_sessions() -> None:
    """Before Flask-Login reads the session's user: an ended session is signed out, whoever holds it."""
    if USER_ID not in session:
        return
    sign_in_id = session.get(SIGN_IN_ID)
    if not sign_in_id or is_ended(sign_in_id):
        session.clear()


def init_app(app) -> None:
    """Before Flask-AppBuilder registers its own hook, which loads the signed-in user."""
    app.before_request(refuse_ended_sessions)
