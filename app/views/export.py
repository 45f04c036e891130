"""Excel downloads of the lists people work from (SPEC.md §3 lists; formula text made safe).

A list of up to ``EXPORT_INLINE_ROWS`` rows is written within the request; a longer one by
an RQ job (workers/jobs.py) while the page shows a progress bar, then offers the file.
"""

from collections.abc import Callable, Iterable
from io import BytesIO

from flask import Response, abort, current_app, g
from flask_babel import lazy_gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from redis import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock, queue
from app.exports import append_row
from app.policy.vocabulary import CHANNELS, ESCALATION_SOURCES, SEVERITIES, STATUSES, label
from app.views.formatting import yes_no


def own_job(job_id: str, function: str) -> Job:
    """The signed-in user's own job running ``function`` (a worker's export or import), else 404."""
    try:
        job = Job.fetch(job_id, connection=queue.connection())
    except (NoSuchJobError, RedisError, ValueError):
        abort(404)
    if job.func_name != function or job.meta.get("user_id") != g.user.id:
        abort(404)
    return job


# A download holds at most this many rows; the list's filters narrow it further.
EXPORT_LIMIT = 50_000
# Default of the setting EXPORT_INLINE_ROWS: more rows than this are written by a worker.
INLINE_ROWS = 2000
# Rows read from the database at a time, and between two progress reports.
CHUNK_ROWS = 500
# How long a file written by a worker waits to be downloaded (kept in Redis).
FILE_KEEP_SECONDS = 3600
FILE_KEY = "complaint-export:{job_id}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = [
    ("Number", lambda c: c.number),
    ("Received at", lambda c: clock.format_local(c.received_at)),
    ("Channel", lambda c: label(CHANNELS, c.channel)),
    ("Escalation source", lambda c: label(ESCALATION_SOURCES, c.source)),
    ("Category", lambda c: c.category.name if c.category else ""),
    ("Topic", lambda c: c.topic),
    ("Summary", lambda c: c.summary),
    ("Customer phone", lambda c: c.customer_phone),
    ("Receiving department", lambda c: c.receiving_department.name if c.receiving_department else ""),
    ("Responsible department", lambda c: c.responsible_department.name if c.responsible_department else ""),
    ("Status", lambda c: label(STATUSES, c.status)),
    ("Severity", lambda c: label(SEVERITIES, c.severity)),
    ("Disputed amount (yuan)", lambda c: float(c.disputed_amount) if c.disputed_amount is not None else None),
    ("First contact due", lambda c: clock.format_local(c.first_reply_due)),
    ("Result due", lambda c: clock.format_local(c.resolve_due)),
    ("Repeat complaint", lambda c: yes_no(c.is_repeat)),
]


def inline_rows() -> int:
    return current_app.config.get("EXPORT_INLINE_ROWS", INLINE_ROWS)


def headers() -> list[str]:
    return [str(_(title)) for title, _read in COLUMNS]


def complaints_in_order(ids: list[int], viewer) -> Iterable:
    """The complaints of ``ids`` in that order, a chunk at a time, each still visible to ``viewer``
    (a worker writes the file later than the request chose the rows)."""
    from app.extensions import db
    from app.models import Complaint

    for start in range(0, len(ids), CHUNK_ROWS):
        chunk = ids[start : start + CHUNK_ROWS]
        query = (
            select(Complaint)
            .where(Complaint.id.in_(chunk), Complaint.visible_to(viewer))
            .options(
                selectinload(Complaint.category),
                selectinload(Complaint.receiving_department),
                selectinload(Complaint.responsible_department),
            )
        )
        rows = {complaint.id: complaint for complaint in db.session.scalars(query)}
        yield from (rows[complaint_id] for complaint_id in chunk if complaint_id in rows)
        for complaint in rows.values():
            db.session.expunge(complaint)  # a chunk written is a chunk forgotten


def complaints_workbook(
    complaints, title: str, headers: list[str], progress: Callable[[int], None] | None = None
) -> bytes:
    """The rows as an Excel workbook: a bold header, the amount as a number, text kept as typed."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    done = 0
    for done, complaint in enumerate(complaints, start=1):
        append_row(sheet, [read(complaint) for _title, read in COLUMNS])
        if progress is not None and done % CHUNK_ROWS == 0:
            progress(done)
    if progress is not None:
        progress(done)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(content: bytes, filename: str) -> Response:
    return Response(
        content,
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def filename() -> str:
    return f"complaints-{clock.to_local(clock.now()):%Y%m%d-%H%M}.xlsx"
