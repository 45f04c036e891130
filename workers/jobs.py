"""The jobs RQ runs. Each takes ids, never objects, and works in an app context
of the one app this process builds, never one per job.
"""

from flask import Flask

from app import bulletin, clock, create_app, notices
from app import scan as checks

_app: Flask | None = None


def use_app(app: Flask) -> None:
    """Run this process's jobs in ``app`` (built once by `python -m workers`, or a test's)."""
    global _app
    _app = app


def worker_app() -> Flask:
    """This process's app, built at the first job when nobody gave one."""
    global _app
    if _app is None:
        _app = create_app()
    return _app


def deliver(outbox_id: int) -> str | None:
    """Send one notice of the outbox, at most once."""
    with worker_app().app_context():
        return notices.deliver(outbox_id)


def scan() -> dict[str, int]:
    """Every periodic check, once, as of now (RQ's cron enqueues this every minute)."""
    with worker_app().app_context():
        return checks.run(clock.now())


def monthly_bulletin() -> int:
    """§6: the bulletin of the month that just ended, to every department mailbox (cron, on the 1st)."""
    with worker_app().app_context():
        return bulletin.send_previous_month(clock.now())
