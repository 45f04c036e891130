"""Bulk import of complaints from the 10086 system's export: its columns, limits and who may import."""

from __future__ import annotations

from dataclasses import dataclass

from app.policy import roles
from app.policy.i18n import _


@dataclass(frozen=True)
class Column:
    header: str  # as the 10086 export names it
    field: str  # the complaint form's field
    required: bool = False


# The columns of the export, by header (the field name will do as well).
COLUMNS = (
    Column("客户号码", "customer_phone", required=True),
    Column("投诉类别", "category", required=True),  # code or name
    Column("受理渠道", "channel", required=True),  # code or label
    Column("投诉主题", "topic", required=True),
    Column("投诉内容", "summary", required=True),
    Column("受理时间", "received_at"),  # local time; empty: the time of the import
    Column("越级来源", "source"),
    Column("智能网用户", "customer_prepaid"),  # 是/否
    Column("客户价值", "customer_value"),
    Column("争议金额", "disputed_amount"),
    Column("投诉原因", "cause"),
    Column("严重程度", "severity"),
    Column("责任部门", "responsible_department"),  # code or name
    Column("联名人数", "joint_complainants"),
)
TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", ""})

# Defaults of the settings IMPORT_MAX_BYTES, IMPORT_MAX_ROWS and IMPORT_INLINE_ROWS.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Up to this many rows are imported within the request; more go to the queue with a progress bar.
INLINE_ROWS = 200
# The 10086 export has some 30 columns: a sheet wider than this is not one.
MAX_COLUMNS = 100
# The header row above the complaints.
HEADER_ROWS = 1
# An Excel file is a zip: what it unpacks to, at most. A full export (5,000 rows of some 30
# columns) unpacks to about 10 MB; a file of repeated blanks packs thousands of times smaller.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


def oversized(rows: int, columns: int, max_rows: int) -> str | None:
    """The message for a sheet of ``rows`` × ``columns`` (as declared, or as read so far) beyond
    the limits, or None."""
    if rows > max_rows + HEADER_ROWS:
        return _("At most %(count)s rows per file.", count=max_rows)
    if columns > MAX_COLUMNS:
        return _("At most %(count)s columns per sheet.", count=MAX_COLUMNS)
    return None


def column_of(header: str) -> Column | None:
    name = (header or "").strip()
    return next((column for column in COLUMNS if name in (column.header, column.field)), None)


def may_import(role_names) -> bool:
    """Room managers and above import, into their own department as the receiving department."""
    return roles.rank(role_names) >= roles.WORKING_ROLES.index(roles.ROOM_MANAGER)


def missing_headers(headers) -> list[str]:
    present = {column.field for column in map(column_of, headers) if column is not None}
    return [column.header for column in COLUMNS if column.required and column.field not in present]


def unknown_headers(headers) -> list[str]:
    return [header for header in headers if (header or "").strip() and column_of(header) is None]


def parse_flag(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("Write 是 or 否."))
