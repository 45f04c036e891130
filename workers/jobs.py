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


def export_complaints(ids: list[int], user_id: int, title: str, locale: str) -> dict:
    """Write the complaints ``ids`` (a list's rows, as the request chose them) as a workbook for
    ``user_id``, reporting progress in the job's meta; the file waits in Redis for its download."""
    from flask_appbuilder.security.sqla.models import User
    from flask_babel import force_locale
    from rq import get_current_job

    from app import queue
    from app.extensions import db
    from app.security import viewer_for
    from app.views import export

    job = get_current_job()

    def progress(done: int) -> None:
        if job is not None:
            job.meta["done"] = done
            job.save_meta()

    with worker_app().app_context(), force_locale(locale):
        try:
            viewer = viewer_for(db.session.get(User, user_id))
            rows = export.complaints_in_order(ids, viewer)
            content = export.complaints_workbook(rows, title, export.headers(), progress)
        finally:
            db.session.remove()
        if job is not None:
            queue.connection().set(export.FILE_KEY.format(job_id=job.id), content, ex=export.FILE_KEEP_SECONDS)
        return {"rows": job.meta.get("done", 0) if job is not None else len(ids)}


# Rows between two progress reports of an import.
IMPORT_PROGRESS_EVERY = 10


def import_complaints(content: bytes, filename: str, user_id: int) -> dict:
    """Import a confirmed 10086 export for ``user_id``, reporting progress in the job's meta."""
    from flask_appbuilder.security.sqla.models import User
    from rq import get_current_job

    from app import imports
    from app.extensions import db

    job = get_current_job()

    def progress(done: int) -> None:
        if job is not None and (done % IMPORT_PROGRESS_EVERY == 0 or done == job.meta.get("total")):
            job.meta["done"] = done
            job.save_meta()

    with worker_app().app_context():
        try:
            rows, _ignored = imports.load(content, filename)
            ids = imports.run(rows, db.session.get(User, user_id), progress)
        except imports.RowsInvalid as error:
            return {"imported": 0, "errors": [[line, imports.describe(errors)] for line, errors in error.rows.items()]}
        finally:
            db.session.remove()
        return {"imported": len(ids)}
