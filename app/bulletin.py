"""The monthly bulletin (月度通报, SPEC.md §6): one data object, rendered as a page, a workbook and a mail.

``build(month)`` runs one GROUP BY query per section over the month's [start, end) in
APP_TIMEZONE (converted to UTC), each summing the month and the month before in the same
pass where the section compares them. Nothing loads the rows themselves, so the cost
follows the number of categories, departments and levels, not the number of complaints.

A section is a title, column headers and rows of plain values (text, ``int``,
``Decimal``), plus an optional chart hint; the page, the workbook and the mail all read
the same ``Bulletin`` and so cannot disagree. A new section is one more function in
``SECTIONS``.

Complaint sections count the complaints *received* in the month (their status, callback
and overdue state as of the time the bulletin is built); dispatch, refund, incident,
alert and appraisal sections count what was *created* in the month.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from io import BytesIO

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, case, func, literal, or_, select

from app import clock, documents, notices, recipients
from app.exports import cell_value
from app.extensions import db
from app.models import Alert, Appraisal, Category, Complaint, Department, Dispatch, Incident, RefundRequest
from app.policy import leadership, rates
from app.policy import repeats as repeats_policy
from app.policy.flow import CLOSED, OPEN_STATUSES, RESOLVED
from app.policy.i18n import _
from app.policy.vocabulary import (
    ALERT_RULES,
    CALLBACKS,
    CHANNELS,
    ESCALATION_SOURCES,
    MAJOR_TYPES,
    REFUND_LEVELS,
    label,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
# Each sheet: the title in row 1, the column headers in row 2, the figures below.
HEADER_ROW = 2
# Characters Excel refuses in a sheet title.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Chart:
    """How the page draws a section: ``kind`` (bar, pie) of the value columns against column 0."""

    kind: str
    value_columns: tuple[int, ...] = (1,)
    # Each label (category) its own colour, not each series.
    colour_by_label: bool = False


@dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: Chart | None = None
    # Columns holding yuan (shown and formatted with two places).
    amount_columns: tuple[int, ...] = ()
    # Relative widths of the columns in print; equal when empty.
    widths: tuple[float, ...] = ()

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]

    def total(self, index: int):
        return sum((row[index] or 0) for row in self.rows)


@dataclass
class Bulletin:
    month: date
    start: datetime
    end: datetime
    previous_month: date
    generated_at: datetime
    sections: list[Section]
    # In the language of the build, as the sections: such as 2026年10月投诉情况通报.
    title: str = ""
    # A short written analysis of the month, from the same figures as the tables.
    analysis: str = ""

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)

    def summary_lines(self) -> list[str]:
        """The overview as lines of text, for the mail body and the command's output."""
        return [
            str(_("%(item)s: %(count)s (previous month %(previous)s, change %(change)+d)", item=item, count=this,
                  previous=previous, change=change))
            for item, this, previous, change in self.section("overview").rows
        ]  # fmt: skip


def month_name(month: date) -> str:
    """``month`` as its readers write it (2026年10月; 2026-10 in English)."""
    return str(_("%(year)d-%(month)02d", year=month.year, month=month.month))


def _rate_text(value: float | None) -> str:
    return f"{value:.1f}%" if value is not None else str(_("nothing to count"))


def analysis(bulletin: Bulletin) -> str:
    """The month in a few sentences: volume and change, the largest category, the rates, the overdue."""
    categories = bulletin.section("by_category")
    this, previous = categories.total(1), categories.total(2)
    values = {"month": month_name(bulletin.month), "count": this, "previous": previous}
    if this > previous:
        sentences = [_("In %(month)s %(count)d complaints were received, %(change)d more than the previous month "
                       "(%(previous)d).", change=this - previous, **values)]  # fmt: skip
    elif this < previous:
        sentences = [_("In %(month)s %(count)d complaints were received, %(change)d fewer than the previous month "
                       "(%(previous)d).", change=previous - this, **values)]  # fmt: skip
    else:
        sentences = [_("In %(month)s %(count)d complaints were received, as many as the previous month.", **values)]
    if this:
        largest = categories.rows[0][1]
        names = [row[0] for row in categories.rows if row[1] == largest]
        share = _rate_text(rates.percent(largest, this))
        sentences.append(
            _("The largest category was %(category)s with %(count)d (%(share)s).",
              category=("、" if _is_chinese() else ", ").join(names), count=largest, share=share)
        )  # fmt: skip
    by_rate = {rate.key: row for rate, row in zip(rates.RATES, bulletin.section("rates").rows, strict=True)}
    sentences.append(
        _(
            "On-time reply rate %(on_time_reply)s, satisfaction rate %(satisfaction)s, repeat complaint rate "
            "%(repeat)s, escalated complaint share %(escalation)s.",
            **{key: _rate_text(row[3]) for key, row in by_rate.items()},
        )
    )
    overdue = bulletin.section("handling_status").rows[OPEN_AND_OVERDUE_ROW][1]
    if overdue:
        sentences.append(_("%(count)d of the month's complaints are still open past their result deadline.",
                           count=overdue))  # fmt: skip
    return "".join(str(sentence) for sentence in sentences) if _is_chinese() else " ".join(map(str, sentences))


def _is_chinese() -> bool:
    """Chinese sentences run on without spaces and list with 、."""
    locale = get_locale()
    return locale is not None and locale.language == "zh"


# -- the sections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The month [start, end) and the month before it [previous_start, start)."""

    previous_start: datetime
    start: datetime
    end: datetime
    now: datetime

    def this(self, column):
        return and_(column >= self.start, column < self.end)

    def both(self, column):
        return and_(column >= self.previous_start, column < self.end)

    def count_this(self, column, *conditions):
        return func.coalesce(func.sum(case((and_(self.this(column), *conditions), 1), else_=0)), 0)

    def count_previous(self, column, *conditions):
        # Queries select [previous_start, end) with ``both``: before ``start`` is the previous month.
        return func.coalesce(func.sum(case((and_(column < self.start, *conditions), 1), else_=0)), 0)


def _compare_headers(first: str) -> list[str]:
    return [first, str(_("This month")), str(_("Previous month")), str(_("Change"))]


def _compare_rows(rows) -> list[list]:
    return [[name, int(this), int(previous), int(this) - int(previous)] for name, this, previous in rows]


def _complaints_by(
    title,
    first_header,
    key,
    column,
    labels: Callable,
    period: Period,
    *where,
    chart: Chart = Chart("bar", (1, 2)),
    joined=None,
) -> Section:
    """The month's complaints against the previous month's, grouped by ``column`` (of ``joined``)."""
    received = Complaint.received_at
    query = select(column, period.count_this(received), period.count_previous(received)).where(
        period.both(received), *where
    )
    if joined is not None:
        table, on, identity = joined
        query = query.join(table, on).group_by(identity, column)
    else:
        query = query.group_by(column)
    rows = [(labels(value), this, previous) for value, this, previous in db.session.execute(query)]
    rows.sort(key=lambda row: (-row[1], -row[2], str(row[0])))
    return Section(key, str(title), _compare_headers(str(first_header)), _compare_rows(rows), chart)


def by_category(period: Period) -> Section:
    return _complaints_by(
        _("Complaints by category"),
        _("Category"),
        "by_category",
        Category.name,
        str,
        period,
        joined=(Category, Complaint.category_id == Category.id, Category.id),
        chart=Chart("bar", (1, 2), colour_by_label=True),
    )


def by_channel(period: Period) -> Section:
    return _complaints_by(
        _("Complaints by channel"),
        _("Channel"),
        "by_channel",
        Complaint.channel,
        lambda code: label(CHANNELS, code),
        period,
    )


def by_escalation(period: Period) -> Section:
    return _complaints_by(
        _("Escalated complaints by source"),
        _("Escalation source"),
        "by_escalation",
        Complaint.source,
        lambda code: label(ESCALATION_SOURCES, code),
        period,
        Complaint.escalated.is_(True),
    )


OPEN_AND_OVERDUE_ROW = 4


def handling_status(period: Period) -> Section:
    """Resolved, open and overdue among the month's complaints, as of the time of building."""
    received = Complaint.received_at
    is_resolved = Complaint.status.in_((RESOLVED, CLOSED))
    is_open = Complaint.status.in_(OPEN_STATUSES)
    # The order of the rows (OPEN_AND_OVERDUE_ROW is the analysis's figure).
    measures = [
        (_("Received"), literal(True)),
        (_("Resolved or closed"), is_resolved),
        (_("Resolved after the result deadline"), and_(is_resolved, Complaint.resolved_at > Complaint.resolve_due)),
        (_("Open"), is_open),
        (_("Open and overdue"), and_(is_open, Complaint.resolve_due < period.now)),
    ]
    columns = []
    for _name, condition in measures:
        columns += [period.count_this(received, condition), period.count_previous(received, condition)]
    values = db.session.execute(select(*columns).where(period.both(received))).one()
    rows = [(str(name), values[2 * index], values[2 * index + 1]) for index, (name, _c) in enumerate(measures)]
    return Section(
        "handling_status",
        str(_("Handling status")),
        _compare_headers(str(_("Status"))),
        _compare_rows(rows),
        Chart("bar", (1, 2)),
    )


def callbacks(period: Period) -> Section:
    return _complaints_by(
        _("Customer callback results"),
        _("Callback"),
        "callbacks",
        Complaint.callback,
        lambda code: label(CALLBACKS, code),
        period,
        Complaint.callback.is_not(None),
        chart=Chart("pie", (1,)),
    )


def dispatch_responses(period: Period) -> Section:
    """Each department's responses to the month's dispatches: on time, late, returned, waiting."""
    replied = Dispatch.status == "replied"
    waiting = Dispatch.status.in_(("open", "accepted"))

    def count(*conditions):
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    query = (
        select(
            Department.name,
            func.count(Dispatch.id),
            count(replied, Dispatch.replied_at <= Dispatch.reply_due),
            count(replied, Dispatch.replied_at > Dispatch.reply_due),
            count(waiting, Dispatch.reply_due < period.now),
            count(Dispatch.status == "returned"),
            count(waiting, Dispatch.reply_due >= period.now),
        )
        .join(Department, Dispatch.department_id == Department.id)
        .where(period.this(Dispatch.dispatched_at))
        .group_by(Department.id, Department.name)
    )
    rows = [[name, *(int(value) for value in values)] for name, *values in db.session.execute(query)]
    rows.sort(key=lambda row: (-row[1], row[0]))
    headers = [
        _("Department"),
        _("Dispatched"),
        _("Replied on time"),
        _("Replied late"),
        _("Overdue, no reply"),
        _("Returned"),
        _("Awaiting reply"),
    ]
    return Section(
        "dispatch_responses",
        str(_("Dispatch responses by department")),
        [str(header) for header in headers],
        rows,
        Chart("bar", (2, 3, 4, 5)),
    )


def incidents(period: Period) -> Section:
    discovered = Incident.discovered_at
    query = (
        select(Incident.rule, period.count_this(discovered), period.count_previous(discovered))
        .where(period.both(discovered))
        .group_by(Incident.rule)
    )
    rule_labels = {**ALERT_RULES, "manual": _("Reported by hand")}
    rows = sorted(
        ((label(rule_labels, rule), this, previous) for rule, this, previous in db.session.execute(query)),
        key=lambda row: -row[1],
    )
    return Section(
        "incidents", str(_("Incidents")), _compare_headers(str(_("Rule"))), _compare_rows(rows), Chart("bar", (1, 2))
    )


def major_complaints(period: Period) -> Section:
    return _complaints_by(
        _("Major complaints"),
        _("Major complaint type"),
        "major_complaints",
        Complaint.major_type,
        lambda code: label(MAJOR_TYPES, code) if code else str(_("Unspecified")),
        period,
        Complaint.severity == "major",
    )


def leadership_reports(period: Period) -> Section:
    """§3.5: the reports to company leadership, one per criterion that held."""
    created = Alert.created_on
    query = (
        select(Alert.criterion, period.count_this(created), period.count_previous(created))
        .where(period.both(created), Alert.rule == "leadership_report")
        .group_by(Alert.criterion)
        .order_by(Alert.criterion)
    )
    rows = [
        (leadership.criterion_label(criterion), this, previous)
        for criterion, this, previous in db.session.execute(query)
    ]
    return Section(
        "leadership_reports",
        str(_("Reports to company leadership")),
        _compare_headers(str(_("Criterion"))),
        _compare_rows(rows),
        Chart("bar", (1, 2)),
    )


def _percent(part: int, whole: int) -> float:
    return round(100 * repeats_policy.rate(part, whole), 1)


def repeat_complaints(period: Period) -> Section:
    """Issue 11: repeat complaints (重复投诉) among the month's complaints, by category, and in all."""
    received = Complaint.received_at
    repeated = Complaint.is_repeat.is_(True)
    query = (
        select(
            Category.name,
            period.count_this(received),
            period.count_this(received, repeated),
            period.count_previous(received),
            period.count_previous(received, repeated),
        )
        .join(Category, Complaint.category_id == Category.id)
        .where(period.both(received))
        .group_by(Category.id, Category.name)
    )
    counts = [(name, int(a), int(b), int(c), int(d)) for name, a, b, c, d in db.session.execute(query)]
    counts = [row for row in counts if row[1] or row[3]]
    counts.sort(key=lambda row: (-row[2], -row[1], str(row[0])))
    if counts:
        counts.append((str(_("All categories")), *(sum(row[index] for row in counts) for index in range(1, 5))))
    rows = [
        [
            name,
            this,
            this_repeats,
            _percent(this_repeats, this),
            before,
            before_repeats,
            _percent(before_repeats, before),
        ]
        for name, this, this_repeats, before, before_repeats in counts
    ]
    return Section(
        "repeat_complaints",
        str(_("Repeat complaints")),
        [
            str(_("Category")),
            str(_("Received")),
            str(_("Repeat complaints")),
            str(_("Repeat rate (%)")),
            str(_("Previous month: received")),
            str(_("Previous month: repeat complaints")),
            str(_("Previous month: repeat rate (%)")),
        ],
        rows,
        Chart("bar", (3, 6)),
    )


def refunds(period: Period) -> Section:
    """§2.5: the month's refund requests by the level that decides them, with their amounts."""

    def where(status):
        return RefundRequest.status == status

    query = (
        select(
            RefundRequest.required_level,
            func.count(RefundRequest.id),
            func.coalesce(func.sum(RefundRequest.amount), 0),
            func.coalesce(func.sum(case((where("approved"), 1), else_=0)), 0),
            func.coalesce(func.sum(case((where("approved"), RefundRequest.amount), else_=0)), 0),
            func.coalesce(func.sum(case((where("pending"), 1), else_=0)), 0),
            func.coalesce(func.sum(case((where("rejected"), 1), else_=0)), 0),
        )
        .where(period.this(RefundRequest.created_on))
        .group_by(RefundRequest.required_level)
    )
    found = {level: values for level, *values in db.session.execute(query)}
    rows = []
    for level in REFUND_LEVELS:
        if level in found:
            requests, requested, approved, approved_amount, pending, rejected = found[level]
            level_name = label(REFUND_LEVELS, level)
            amounts = [int(requests), _yuan(requested), int(approved), _yuan(approved_amount)]
            rows.append([level_name, *amounts, int(pending), int(rejected)])
    headers = [
        _("Decided at level"),
        _("Requests"),
        _("Amount requested (yuan)"),
        _("Approved"),
        _("Amount approved (yuan)"),
        _("Pending"),
        _("Rejected"),
    ]
    return Section(
        "refunds",
        str(_("Refunds by level and amount")),
        [str(header) for header in headers],
        rows,
        Chart("bar", (4,)),
        amount_columns=(2, 4),
    )


def _yuan(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def appraisals(period: Period) -> Section:
    """§6 奖惩: the published commendations and criticisms, by whom they concern."""
    kind = Appraisal.kind
    query = (
        select(
            Department.name,
            User.last_name,
            User.first_name,
            func.coalesce(func.sum(case((kind == "commendation", 1), else_=0)), 0),
            func.coalesce(func.sum(case((kind == "criticism", 1), else_=0)), 0),
        )
        .select_from(Appraisal)
        .outerjoin(Department, Appraisal.department_id == Department.id)
        .outerjoin(User, Appraisal.user_id == User.id)
        .where(period.this(Appraisal.created_on), Appraisal.status == "published")
        .group_by(Department.id, Department.name, User.id, User.last_name, User.first_name)
    )
    rows = []
    for department, family, given, commended, criticised in db.session.execute(query):
        target = f"{family or ''}{given or ''}" if (family or given) else (department or "")
        rows.append([target, int(commended), int(criticised)])
    rows.sort(key=lambda row: (-row[1] - row[2], row[0]))
    return Section(
        "appraisals",
        str(_("Commendations and criticisms")),
        [str(_("Department or person")), str(_("Commendations")), str(_("Criticisms"))],
        rows,
        Chart("bar", (1, 2)),
    )


def _all_repeats(section: Section) -> tuple[int, int]:
    """This month's and the previous month's repeat complaints, from the section's last row (all)."""
    return (section.rows[-1][2], section.rows[-1][5]) if section.rows else (0, 0)


def overview(sections: list[Section]) -> Section:
    """The month against the month before, from the totals of the sections that compare them."""
    by_key = {section.key: section for section in sections}
    status = {row[0]: row[1:3] for row in by_key["handling_status"].rows}

    def totals(key):
        return by_key[key].total(1), by_key[key].total(2)

    rows = [
        (_("Complaints received"), totals("by_category")),
        (_("Escalated complaints"), totals("by_escalation")),
        (_("Resolved or closed"), status[str(_("Resolved or closed"))]),
        (_("Open and overdue"), status[str(_("Open and overdue"))]),
        (_("Major complaints"), totals("major_complaints")),
        (_("Incidents"), totals("incidents")),
        (_("Reports to company leadership"), totals("leadership_reports")),
        (_("Repeat complaints"), _all_repeats(by_key["repeat_complaints"])),
    ]
    return Section(
        "overview",
        str(_("Overview")),
        _compare_headers(str(_("Item"))),
        [[str(name), this, previous, this - previous] for name, (this, previous) in rows],
        Chart("bar", (1, 2)),
    )


def rates_section(period: Period) -> Section:
    """The rates the month is judged by, this month against the last, each with its definition
    (app/policy/rates.py says what each counts)."""
    received = Complaint.received_at
    complaint_measures = [
        literal(True),
        Complaint.escalated.is_(True),
        Complaint.is_repeat.is_(True),
        Complaint.callback.is_not(None),
        Complaint.callback.in_(rates.SATISFIED_CALLBACKS),
    ]
    columns = []
    for condition in complaint_measures:
        columns += [period.count_this(received, condition), period.count_previous(received, condition)]
    values = [int(value) for value in db.session.execute(select(*columns).where(period.both(received))).one()]
    (received_count, received_before, escalated, escalated_before, repeated, repeated_before,
     called_back, called_back_before, satisfied, satisfied_before) = values  # fmt: skip

    dispatched = Dispatch.dispatched_at
    counted = or_(Dispatch.status.not_in(rates.AWAITING_REPLY), Dispatch.reply_due < period.now)
    on_time = and_(Dispatch.status == rates.REPLIED, Dispatch.replied_at <= Dispatch.reply_due)
    due, due_before, in_time, in_time_before = (
        int(value)
        for value in db.session.execute(
            select(
                period.count_this(dispatched, counted),
                period.count_previous(dispatched, counted),
                period.count_this(dispatched, counted, on_time),
                period.count_previous(dispatched, counted, on_time),
            ).where(period.both(dispatched))
        ).one()
    )
    figures = {
        rates.ON_TIME_REPLY.key: (in_time, due, in_time_before, due_before),
        rates.SATISFACTION.key: (satisfied, called_back, satisfied_before, called_back_before),
        rates.REPEAT.key: (repeated, received_count, repeated_before, received_before),
        rates.ESCALATION.key: (escalated, received_count, escalated_before, received_before),
    }
    rows = []
    for rate in rates.RATES:
        part, whole, part_before, whole_before = figures[rate.key]
        this, before = rates.percent(part, whole), rates.percent(part_before, whole_before)
        rows.append([str(rate.name), part, whole, this, before, str(rate.definition)])
    headers = [
        _("Rate"),
        _("Counted"),
        _("Out of"),
        _("This month (%)"),
        _("Previous month (%)"),
        _("Definition"),
    ]
    return Section(
        "rates", str(_("Rates")), [str(header) for header in headers], rows, widths=(3, 1.2, 1.2, 1.6, 1.6, 7)
    )


# Each section of the bulletin in order, the overview (built from them) first.
SECTIONS: list[Callable[[Period], Section]] = [
    rates_section,
    by_category,
    by_channel,
    by_escalation,
    handling_status,
    callbacks,
    dispatch_responses,
    incidents,
    major_complaints,
    leadership_reports,
    repeat_complaints,
    refunds,
    appraisals,
]


def build(month: date, now: datetime | None = None) -> Bulletin:
    """The bulletin of ``month`` (its first day), with labels in the current locale."""
    now = now or clock.now()
    previous = clock.previous_month(month)
    previous_start, _previous_end = clock.month_bounds(previous)
    start, end = clock.month_bounds(month)
    period = Period(previous_start=previous_start, start=start, end=end, now=now)
    sections = [compute(period) for compute in SECTIONS]
    built = Bulletin(
        month=month,
        start=start,
        end=end,
        previous_month=previous,
        generated_at=now,
        sections=[overview(sections), *sections],
        title=str(_("Complaint bulletin of %(month)s", month=month_name(month))),
    )
    built.analysis = analysis(built)
    return built


# -- the workbook ------------------------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    base = SHEET_TITLE_FORBIDDEN.sub(" ", title)[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def workbook(bulletin: Bulletin) -> bytes:
    """One sheet per section: the title with the month, a formatted header row, then the rows, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)
    book.properties.title = bulletin.title
    used: set[str] = set()
    for section in bulletin.sections:
        sheet = book.create_sheet(_sheet_title(section.title, used))
        # Row 1: the bulletin's title with its month, over the whole table.
        sheet.append([f"{bulletin.title} · {section.title}"])
        sheet["A1"].font = TITLE_FONT
        if len(section.headers) > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(section.headers))
        sheet.row_dimensions[1].height = 24
        sheet.append(section.headers)
        for cell in sheet[HEADER_ROW]:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in section.rows:
            sheet.append([cell_value(value) for value in row])
        for index in section.amount_columns:
            for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=index + 1, max_col=index + 1):
                cell.number_format = AMOUNT_FORMAT
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.column_dimensions["A"].width = 34
        for index in range(2, len(section.headers) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 16
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(month: date) -> str:
    return f"bulletin-{month:%Y-%m}.xlsx"


# -- the printable bulletin (公文) --------------------------------------------------------------


def _printed(section: Section, index: int, value) -> str:
    if value is None:
        return ""
    if index in section.amount_columns:
        return f"{value:,.2f}"
    return str(value)


def official_document(bulletin: Bulletin) -> documents.OfficialDocument:
    """The bulletin as an official notice: the analysis and the overview in words, then one table per section."""
    issuer = current_app.config.get("DOCUMENT_ISSUER", "")
    issued_on = clock.to_local(bulletin.generated_at).date()
    return documents.OfficialDocument(
        title=bulletin.title,
        number=documents.document_number("通报", issued_on, bulletin.month.month),
        issued_on=issued_on,
        recipients=[str(_("All departments"))],
        issuer=issuer,
        body=[bulletin.analysis, *bulletin.summary_lines()],
        sections=[
            documents.Section(
                heading=section.title,
                table=documents.Table(
                    section.headers,
                    [[_printed(section, index, value) for index, value in enumerate(row)] for row in section.rows],
                    section.widths,
                ),
            )
            for section in bulletin.sections
            if section.key != "overview" and section.rows
        ],
        filename=f"bulletin-{bulletin.label}.pdf",
    )


def pdf(bulletin: Bulletin) -> bytes:
    return documents.render(official_document(bulletin))


# -- the page's charts -------------------------------------------------------------------------


def chart_data(bulletin: Bulletin) -> list[dict]:
    """What static/js/charts.js draws: one chart per section that has one and has rows."""
    charts = []
    for section in bulletin.sections:
        if section.chart is None or not section.rows:
            continue
        charts.append(
            {
                "id": f"chart-{section.key}",
                "kind": section.chart.kind,
                "title": section.title,
                "colourByLabel": section.chart.colour_by_label,
                "labels": [str(value) for value in section.column(0)],
                "series": [
                    {"name": section.headers[index], "data": [float(value or 0) for value in section.column(index)]}
                    for index in section.chart.value_columns
                ],
            }
        )
    return charts


# -- the mail ----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _mailed(argument: str) -> Bulletin:
    """The bulletin of ``"YYYY-MM@as-of time"`` in the notices' language, built once per worker for
    the mails of every department (its figures are as of the time of the mails' summary)."""
    month_text, _at, as_of = argument.partition("@")
    with notices.in_notice_language():
        return build(clock.parse_month(month_text), clock.parse_time(as_of) if as_of else None)


@lru_cache(maxsize=4)
def _mailed_pdf(argument: str) -> bytes:
    with notices.in_notice_language():
        return pdf(_mailed(argument))


@notices.attachment_builder("bulletin_xlsx")
def attachment(argument: str) -> notices.Attachment:
    """The workbook, built when the mail is sent: the figures of the mail's body (the same as-of time)."""
    built = _mailed(argument)
    with notices.in_notice_language():
        return filename(built.month), XLSX, workbook(built)


@notices.attachment_builder("bulletin_pdf")
def attachment_pdf(argument: str) -> notices.Attachment:
    """The printable bulletin, as ``attachment`` builds the workbook."""
    return f"bulletin-{_mailed(argument).label}.pdf", documents.PDF_TYPE, _mailed_pdf(argument)


def send(month: date, now: datetime | None = None) -> int:
    """§6: the bulletin to every department mailbox, once per department and month; how many new notices."""
    now = now or clock.now()
    with notices.in_notice_language():
        bulletin = build(month, now)
        summary = "\n".join(bulletin.summary_lines())
    mailboxes = db.session.execute(
        select(Department.id, Department.email)
        .where(Department.email.is_not(None), Department.email != "")
        .order_by(Department.code)
    ).all()
    created = 0
    for department_id, _mailbox in mailboxes:
        outbox_id = notices.notify(
            "monthly_bulletin",
            recipients.departments([department_id]),
            {"month": bulletin.label, "summary": summary},
            f"monthly_bulletin:{bulletin.label}:{department_id}",
            attachments=[
                ("bulletin_xlsx", f"{bulletin.label}@{now.isoformat()}"),
                ("bulletin_pdf", f"{bulletin.label}@{now.isoformat()}"),
            ],
        )
        created += outbox_id is not None
    db.session.commit()
    return created


def send_previous_month(now: datetime) -> int:
    """The cron job's work on the 1st: the bulletin of the month that just ended."""
    return send(clock.previous_month(clock.current_month(now)), now)


# -- the leadership dashboard's trend ----------------------------------------------------------

TREND_DAYS = 30


def daily_volume(now: datetime, days: int = TREND_DAYS) -> dict:
    """Complaints received per local day and category over the last ``days`` days, as a stacked chart."""
    today = clock.to_local(now).date()
    first_day = today - timedelta(days=days - 1)
    start = clock.first_instant(first_day)
    day = clock.local_day(Complaint.received_at, db.session.get_bind().dialect.name)
    query = (
        select(day, Category.name, func.count(Complaint.id))
        .join(Category, Complaint.category_id == Category.id)
        .where(Complaint.received_at >= start, Complaint.received_at <= now)
        .group_by(day, Category.id, Category.name)
    )
    counts: dict[str, dict[str, int]] = {}
    for local_day, category, count in db.session.execute(query):
        counts.setdefault(category, {})[str(local_day)] = int(count)
    labels = [(first_day + timedelta(days=offset)).isoformat() for offset in range(days)]
    order = sorted(counts, key=lambda category: -sum(counts[category].values()))
    return {
        "id": "chart-trend",
        "kind": "bar",
        "stack": True,
        "title": str(_("Complaints per day and category")),
        "labels": labels,
        "series": [{"name": category, "data": [counts[category].get(day, 0) for day in labels]} for category in order],
    }
