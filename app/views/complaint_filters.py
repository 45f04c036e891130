"""The complaint lists' filter panel: dates, statuses, categories and departments as pickers.

A filter is a plain query argument (``?status=replied&received_from=2026-11-15``),
read here into typed values, shown above the list as a removable chip, and
applied as a Flask-AppBuilder filter beside the list's own (row-level rights
first). A value that names nothing (a date that is not one, an unknown status) is
refused with a message, never silently dropped or turned into another value.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Category, Department
from app.policy.vocabulary import CHANNELS, SEVERITIES, STATUSES, label


class ReceivedFrom(BaseFilter):
    """Received on or after the local day."""

    name = "Received from"

    def apply(self, query, value):
        return query.filter(self.model.received_at >= clock.first_instant(value))


class ReceivedUntil(BaseFilter):
    """Received on or before the local day (the whole day)."""

    name = "Received until"

    def apply(self, query, value):
        return query.filter(self.model.received_at < clock.first_instant(value + timedelta(days=1)))


class ColumnIs(BaseFilter):
    """The column (``column_name``) holds the value."""

    name = "Is"

    def apply(self, query, value):
        return query.filter(getattr(self.model, self.column_name) == value)


@dataclass(frozen=True)
class Active:
    """A filter in force: its query argument, what its chip says, and how it narrows the list."""

    argument: str
    text: str
    column: str
    filter_class: type
    value: object


class FilterInvalid(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# Query argument → (column, label). Order: as the panel shows them.
DATES = {"received_from": _("Received from"), "received_to": _("Received until")}
CODES = {"status": STATUSES, "channel": CHANNELS, "severity": SEVERITIES}
CODE_LABELS = {"status": _("Status"), "channel": _("Channel"), "severity": _("Severity")}
RELATED = {
    "category": ("category_id", _("Category")),
    "receiving_department": ("receiving_department_id", _("Receiving department")),
    "responsible_department": ("responsible_department_id", _("Responsible department")),
}
ARGUMENTS = (*DATES, *CODES, *RELATED)


def categories() -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in db.session.execute(select(Category.id, Category.name).order_by(Category.id))]


def departments() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Department.id, Department.name).order_by(Department.code))
    return [(row.id, row.name) for row in rows]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def read(args) -> list[Active]:
    """The filters the query string asks for; ``FilterInvalid`` names each value that is not one."""
    active, errors = [], []
    days = {}
    for argument, title in DATES.items():
        text = args.get(argument, "").strip()
        if not text:
            continue
        day = _date(text)
        if day is None:
            errors.append(str(_("%(field)s: give a date such as 2026-11-15.", field=title)))
            continue
        days[argument] = day
        filter_class = ReceivedFrom if argument == "received_from" else ReceivedUntil
        active.append(Active(argument, f"{title} {day.isoformat()}", "received_at", filter_class, day))
    if len(days) == 2 and days["received_from"] > days["received_to"]:
        errors.append(str(_("The first day comes after the last: swap them.")))
    for argument, vocabulary in CODES.items():
        code = args.get(argument, "").strip()
        if not code:
            continue
        if code not in vocabulary:
            errors.append(str(_("%(field)s: pick one of the list.", field=CODE_LABELS[argument])))
            continue
        text = f"{CODE_LABELS[argument]}: {label(vocabulary, code)}"
        active.append(Active(argument, text, argument, ColumnIs, code))
    for argument, (column, title) in RELATED.items():
        text = args.get(argument, "").strip()
        if not text:
            continue
        names = dict(categories() if argument == "category" else departments())
        row_id = int(text) if text.isdigit() and len(text) < 10 else None
        if row_id not in names:
            errors.append(str(_("%(field)s: pick one of the list.", field=title)))
            continue
        active.append(Active(argument, f"{title}: {names[row_id]}", column, ColumnIs, row_id))
    if errors:
        raise FilterInvalid(errors)
    return active


def apply(filters, active: list[Active]) -> None:
    """Add the filters in force to a view's Flask-AppBuilder filters (already read from the URL)."""
    for item in active:
        filters.add_filter(item.column, item.filter_class, item.value)


def without(args, argument: str | None) -> str:
    """The query string with one filter (or, given None, every filter) and the page number removed."""
    kept = [
        (key, value)
        for key, values in args.lists()
        for value in values
        if not key.startswith("page_") and (key != argument if argument else key not in ARGUMENTS)
    ]
    return urlencode(kept)
