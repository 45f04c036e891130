"""Excel downloads of the lists people work from (SPEC.md §3 lists; formula text made safe)."""

from io import BytesIO

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app import clock
from app.exports import append_row
from app.policy.vocabulary import CHANNELS, ESCALATION_SOURCES, SEVERITIES, STATUSES, label
from app.views.formatting import yes_no

# A download holds at most this many rows; the list's filters narrow it further.
EXPORT_LIMIT = 50_000
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


def complaints_workbook(complaints, title: str, headers: list[str]) -> bytes:
    """The rows as an Excel workbook: a bold header, the amount as a number, text kept as typed."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for complaint in complaints:
        append_row(sheet, [read(complaint) for _title, read in COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(content: bytes, filename: str) -> Response:
    return Response(
        content,
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
