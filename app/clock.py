"""Time: stored in UTC, shown and typed in ``APP_TIMEZONE`` (default Asia/Shanghai)."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"
# Times outside these years cannot be a complaint's; within them every time can be
# stored in UTC, shown in any zone and have its deadlines computed.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def now() -> datetime:
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    name = current_app.config["APP_TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(local_zone())


def parse_time(text: str) -> datetime:
    """ISO 8601; a time without an offset is taken as local time (API.md)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    try:
        in_range = EARLIEST <= value < LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError(f"{text!r} is not between {EARLIEST.year} and {LATEST.year}.")
    return value


def format_local(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    local = to_local(value)
    return local.strftime(pattern) if local else ""


# -- months (the monthly bulletin, the small-refund monitoring) ---------------------------------

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` → the month's first day; ValueError on anything else."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match:
        raise ValueError(f"{text!r} is not a month: give YYYY-MM, such as 2026-10.")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not EARLIEST.year < year < LATEST.year - 1:
        raise ValueError(f"{text!r} is not a month: give YYYY-MM, such as 2026-10.")
    return date(year, month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def first_instant(day: date) -> datetime:
    """The first local instant of ``day``, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=local_zone()).astimezone(UTC)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first local instant and the next month's, in UTC."""
    return first_instant(month), first_instant(next_month(month))


def current_month(moment: datetime) -> date:
    return to_local(moment).date().replace(day=1)


def local_day(column, dialect: str):
    """SQL for the local calendar day (``YYYY-MM-DD``) of a stored UTC time, on ``dialect``."""
    from sqlalchemy import func, literal_column

    zone = local_zone()
    if dialect == "postgresql":
        # The zone as a literal (a zone key holds no quote): GROUP BY must repeat the very
        # expression of the SELECT, which two bound parameters would not be.
        return func.to_char(func.timezone(literal_column(f"'{zone.key}'"), column), "YYYY-MM-DD")
    # SQLite keeps the UTC wall time: shift it by the zone's offset now (exact for zones without summer time).
    minutes = int(now().astimezone(zone).utcoffset().total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")
