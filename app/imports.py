"""Bulk import of complaints from the 10086 system's CSV or Excel export.

``read`` turns a file into rows of text, ``preview`` checks every row with the
complaint policy (the same messages as the form) and ``run`` saves them all
through the ORM in one transaction, flushing row by row so that every hook
fires as for a complaint typed in the form: numbers, deadlines, the §3.5
same-content rules, the audit log. One bad row and nothing is saved.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Category, Complaint, Department
from app.models.audit import acting_as
from app.policy import ValidationFailed, deadlines
from app.policy import complaints as complaint_policy
from app.policy import imports as policy
from app.policy.i18n import _
from app.policy.vocabulary import CAUSES, CHANNELS, CUSTOMER_VALUES, ESCALATION_SOURCES, SEVERITIES

UTF8_BOM = b"\xef\xbb\xbf"
# GB18030 reads every GBK file, as the 10086 system's exports often are.
FALLBACK_ENCODING = "gb18030"
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
CODED = {
    "channel": CHANNELS,
    "source": ESCALATION_SOURCES,
    "customer_value": CUSTOMER_VALUES,
    "cause": CAUSES,
    "severity": SEVERITIES,
}
# Model attribute → the column it came from, for messages.
FIELD_OF_ATTRIBUTE = {"category_id": "category", "responsible_department_id": "responsible_department"}


def max_bytes() -> int:
    return current_app.config.get("IMPORT_MAX_BYTES", policy.MAX_BYTES)


def max_rows() -> int:
    return current_app.config.get("IMPORT_MAX_ROWS", policy.MAX_ROWS)


@dataclass
class Row:
    line: int  # the row number people see in the file (the header is row 1)
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # column header → message


class RowsInvalid(ValidationFailed):
    """Some rows are invalid: nothing was imported. ``rows`` maps each bad row's number to its errors."""

    def __init__(self, rows: list[Row]):
        self.rows = {row.line: dict(row.errors) for row in rows if row.errors}
        super().__init__({f"row {line}": describe(errors) for line, errors in self.rows.items()})


def describe(errors: dict) -> str:
    return "; ".join(f"{header}: {message}" for header, message in errors.items())


# Reading ------------------------------------------------------------------------------


def read(content: bytes, filename: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the non-empty rows, each with its row number, or ``ValidationFailed``."""
    if len(content) > max_bytes():
        raise ValidationFailed({"file": _("The file is larger than %(size)s MB.", size=max_bytes() // 2**20)})
    suffix = (filename or "").lower().rsplit(".", 1)[-1]
    if suffix == "xlsx":
        records = _xlsx_records(content)
    elif suffix == "csv":
        records = enumerate(csv.reader(io.StringIO(decode(content), newline="")), start=1)
    else:
        raise ValidationFailed({"file": _("Upload the export as a .csv or .xlsx file.")})
    header: list[str] | None = None
    rows = []
    for line, cells in records:
        if not any(_text(cell) for cell in cells):
            continue
        if header is None:
            header = [_text(cell) for cell in cells]
            continue
        rows.append((line, list(cells)))
        if len(rows) > max_rows():
            raise ValidationFailed({"file": _("At most %(count)s rows per file.", count=max_rows())})
    if header is None or not rows:
        raise ValidationFailed({"file": _("The file holds no complaints.")})
    if missing := policy.missing_headers(header):
        raise ValidationFailed({"file": _("Columns missing: %(names)s.", names="、".join(missing))})
    return header, rows


def decode(content: bytes) -> str:
    """UTF-8 with or without a byte order mark, else GBK (as GB18030)."""
    if content.startswith(UTF8_BOM):
        return content[len(UTF8_BOM) :].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError:
        raise ValidationFailed({"file": _("The file is neither UTF-8 nor GBK text.")}) from None


def _xlsx_records(content: bytes):
    """The first sheet's rows, read in read-only mode within the real bounds of its cells.

    A sheet declares its size (``<dimension ref="A1:XFD1048576"/>``) and openpyxl pads every
    row to it: a 5 KB file could make the import read 17 billion empty cells. So a declared
    size beyond the limits is refused at once, the declaration is then ignored (only cells
    that exist are read), and a row beyond the limits found while reading stops the reading.
    """
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationFailed({"file": _("Not a readable Excel workbook.")}) from None
    if unpacked > policy.MAX_UNPACKED_BYTES:
        raise ValidationFailed({"file": _("Not a readable Excel workbook.")})
    try:
        # Formulas are read as their text (data_only=False): stored as typed, never evaluated.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationFailed({"file": _("Not a readable Excel workbook.")}) from None
    sheet = workbook.worksheets[0]
    if message := policy.oversized(sheet.max_row or 0, sheet.max_column or 0, max_rows()):
        workbook.close()
        raise ValidationFailed({"file": message})
    sheet.reset_dimensions()
    return _bounded_rows(workbook, sheet)


def _bounded_rows(workbook, sheet):
    try:
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if message := policy.oversized(line, len(cells), max_rows()):
                raise ValidationFailed({"file": message})
            yield line, cells
    finally:
        workbook.close()


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel keeps phone numbers as numbers
    return str(cell).strip()


# Checking -----------------------------------------------------------------------------


class _Lookups:
    """Codes, names and labels → values, read once per file."""

    def __init__(self):
        categories = db.session.execute(select(Category.id, Category.code, Category.name)).all()
        departments = db.session.execute(select(Department.id, Department.code, Department.name)).all()
        self.categories = {key: row.id for row in categories for key in (row.code, row.name)}
        self.category_rows = {row.id: row for row in db.session.scalars(select(Category))}
        self.departments = {key: row.id for row in departments for key in (row.code, row.name)}
        self.codes = {}
        for name, vocabulary in CODED.items():
            known = {}
            for code, text in vocabulary.items():
                known[code] = code
                for locale in ("zh", "en"):
                    with force_locale(locale):
                        known[str(text)] = code
            self.codes[name] = known


def _convert(name: str, text: str, lookups: _Lookups):
    """The value of one cell for the complaint's attribute, or ``ValueError`` with a message."""
    if name == "category":
        if text not in lookups.categories:
            raise ValueError(_("No such category: %(name)s.", name=text))
        return "category_id", lookups.categories[text]
    if name == "responsible_department":
        if text not in lookups.departments:
            raise ValueError(_("No such department: %(name)s.", name=text))
        return "responsible_department_id", lookups.departments[text]
    if name in CODED:
        # An unknown value stays as typed: the policy names the valid codes.
        return name, lookups.codes[name].get(text, text)
    if name == "customer_prepaid":
        return name, policy.parse_flag(text)
    if name == "disputed_amount":
        return name, complaint_policy.parse_amount(text)
    if name == "joint_complainants":
        if not text.isdigit():
            raise ValueError(_("Give a whole number."))
        return name, int(text)
    return name, text


def _received_at(cell) -> datetime:
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=clock.local_zone()) if cell.tzinfo is None else cell
    text = _text(cell)
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=clock.local_zone())
        except ValueError:
            continue
    raise ValueError(_("Give the local time as 2026-11-20 09:30."))


def preview(header: list[str], rows: list[tuple[int, list]], now: datetime | None = None) -> list[Row]:
    """Every row with its values and its errors, checked as the form checks a complaint."""
    now = now or clock.now()
    lookups = _Lookups()
    columns = [policy.column_of(name) for name in header]
    headers = {column.field: column.header for column in columns if column is not None}
    checked = []
    for line, cells in rows:
        row = Row(line=line)
        for column, cell in zip(columns, cells, strict=False):
            if column is None or not _text(cell):
                continue
            try:
                if column.field == "received_at":
                    row.values["received_at"] = _received_at(cell)
                else:
                    attribute, value = _convert(column.field, _text(cell), lookups)
                    row.values[attribute] = value
            except ValueError as error:
                row.errors[column.header] = str(error)
        try:
            complaint_policy.validate(Complaint(**row.values), now)
        except ValidationFailed as failure:
            for attribute, message in failure.errors.items():
                name = FIELD_OF_ATTRIBUTE.get(attribute, attribute)
                row.errors.setdefault(headers.get(name, name), str(message))
        checked.append(row)
    return checked


# Importing ----------------------------------------------------------------------------


def load(content: bytes, filename: str) -> tuple[list[Row], list[str]]:
    """Every row of the file, checked, and the headers of the columns not imported."""
    header, rows = read(content, filename)
    # An export holds more columns than a complaint has (流水号, 坐席工号 …): they are left out.
    return preview(header, rows), policy.unknown_headers(header)


def run(rows: list[Row], user, progress: Callable[[int], None] | None = None) -> list[int]:
    """Save every row as a complaint received by ``user`` in one transaction; their ids.

    Raises ``RowsInvalid`` (nothing saved) when a row fails the preview or a rule on saving.
    """
    if any(row.errors for row in rows):
        raise RowsInvalid(rows)
    session = db.session
    lookups = _Lookups()
    department_id = user.profile.department_id if getattr(user, "profile", None) else None
    now = clock.now()
    saved = []
    try:
        with acting_as(user.username):
            for done, row in enumerate(rows, start=1):
                complaint = Complaint(**row.values)
                category = lookups.category_rows.get(complaint.category_id)
                receipt = complaint_policy.receive(
                    user.id, department_id, complaint.received_at, now, deadlines.limits_of(category)
                )
                complaint.receiver_id = receipt.receiver_id
                complaint.receiving_department_id = receipt.receiving_department_id
                complaint.received_at = receipt.received_at
                complaint.first_reply_due = receipt.first_reply_due
                complaint.resolve_due = receipt.resolve_due
                session.add(complaint)
                try:
                    # Row by row: each complaint's rules see the ones before it.
                    session.flush()
                except ValidationFailed as failure:
                    row.errors.update({key: str(message) for key, message in failure.errors.items()})
                    raise RowsInvalid([row]) from failure
                saved.append(complaint.id)
                if progress is not None:
                    progress(done)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return saved


def template_workbook() -> bytes:
    """An empty workbook with the expected headers, to fill in."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "complaints"
    sheet.append([column.header for column in policy.COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
