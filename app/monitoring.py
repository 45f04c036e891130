"""Small-refund monitoring (小额赠费监控, app.policy.monitoring): figures, report, alerts.

Every figure is an aggregate in the database over one staff member's direct
frontline refunds (level ``frontline``, approved at once by the requester) and the
attempts the anti-splitting rule refused (``refund_attempt``). The report page,
its API and its Excel download all read ``report``; the scan raises the alerts
from the same figures, once per flag, staff member and period (the alert's key).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.extensions import db
from app.models import Complaint, Department, MonitoringThreshold, RefundAttempt, RefundRequest, StaffProfile
from app.models.org import person_name
from app.policy import Conflict, authority, monitoring, refunds
from app.policy.i18n import _
from app.policy.organisation import subtree

CENT = Decimal("0.01")


# --- thresholds ---------------------------------------------------------------------------


def thresholds() -> dict:
    """Admin's thresholds, or the defaults of app.policy.monitoring."""
    row = db.session.scalar(select(MonitoringThreshold).order_by(MonitoringThreshold.id).limit(1))
    return row.values() if row is not None else dict(monitoring.DEFAULTS)


def check_thresholds(session: Session) -> None:
    """One row of thresholds, each within its bounds, whatever the door (app.binding)."""
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, MonitoringThreshold) and (obj in session.new or session.is_modified(obj)):
            if obj in session.new and session.query(MonitoringThreshold.id).first() is not None:
                raise Conflict(_("The thresholds exist already: edit them."))
            # An empty value takes its column's default on insert.
            values = {name: getattr(obj, name) for name in monitoring.DEFAULTS}
            monitoring.validate_thresholds(
                {name: monitoring.DEFAULTS[name] if value is None else value for name, value in values.items()}
            )


# --- refused attempts ---------------------------------------------------------------------


def refused_by_splitting(refund: RefundRequest, user) -> bool:
    """§2.5: ``user`` could have refunded this amount alone directly, but not on the running total."""
    if user is None or refund.complaint is None or refund.refund_type is None or not refund.required_level:
        return False
    held = authority.authority_of(role.name for role in user.roles)
    alone = authority.required_level(
        Decimal(refund.amount),
        customer_prepaid=bool(refund.complaint.customer_prepaid),
        frontline_eligible=bool(refund.refund_type.frontline_eligible),
    )
    return monitoring.is_split_refusal(authority.covers(held, alone), authority.covers(held, refund.required_level))


def attempt(refund: RefundRequest, user, stage: str, total: Decimal | None = None) -> RefundAttempt:
    """A refused attempt as a row to add (the caller adds it to a session)."""
    profile = getattr(user, "profile", None)
    # A request being saved has no id yet: the relationship gives it one at the flush.
    which = {"refund": refund} if refund.id is None else {"refund_id": refund.id}
    return RefundAttempt(
        **which,
        user_id=user.id,
        department_id=profile.department_id if profile else None,
        complaint_id=refund.complaint.id if refund.complaint is not None else refund.complaint_id,
        amount=refund.amount,
        total=total if total is not None else refund.amount,
        required_level=refund.required_level,
        stage=stage,
        created_on=clock.now(),
    )


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A local calendar month, as UTC bounds; ``end`` is cut at ``now`` for the month under way."""

    month: date
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


def month_period(month: date, now: datetime) -> Period:
    """The month so far: up to ``now`` while it runs."""
    first, following = clock.month_bounds(month)
    return Period(month=month, start=first, end=min(following, now) if first <= now else following)


# --- figures -------------------------------------------------------------------------------


@dataclass
class StaffFigures:
    user_id: int
    name: str = ""
    department: str = ""
    count: int = 0
    total: Decimal = Decimal("0.00")
    near_limit: int = 0
    max_daily_count: int = 0
    max_daily_sum: Decimal = Decimal("0.00")
    same_customer: int = 0
    split_refused: int = 0
    # (day, count, sum) of each day with a direct refund.
    days: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    def figures(self, day_count: int | None = None, day_sum: Decimal | None = None) -> monitoring.Figures:
        return monitoring.Figures(
            daily_count=self.max_daily_count if day_count is None else day_count,
            daily_sum=self.max_daily_sum if day_sum is None else day_sum,
            monthly_count=self.count,
            monthly_sum=self.total,
            same_customer=self.same_customer,
            near_limit=self.near_limit,
            split_refused=self.split_refused,
        )


def _direct(start: datetime, end: datetime, user_ids):
    conditions = [
        RefundRequest.required_level == authority.FRONTLINE,
        RefundRequest.status == refunds.APPROVED,
        RefundRequest.decided_by_id == RefundRequest.requested_by_id,
        RefundRequest.created_on >= start,
        RefundRequest.created_on < end,
    ]
    if user_ids is not None:
        conditions.append(RefundRequest.requested_by_id.in_(user_ids))
    return conditions


def staff_in(department_ids) -> object:
    """The staff of these departments, as a subquery of user ids."""
    return select(StaffProfile.user_id).where(StaffProfile.department_id.in_(list(department_ids)))


def figures(period: Period, limits: dict, user_ids=None) -> dict[int, StaffFigures]:
    """Each staff member's figures for ``period`` (``user_ids``: a subquery or list narrowing them)."""
    session = db.session
    found: dict[int, StaffFigures] = {}

    def row(user_id: int) -> StaffFigures:
        return found.setdefault(user_id, StaffFigures(user_id=user_id))

    near = RefundRequest.amount >= Decimal(limits["near_limit_from"])
    for user_id, count, total, near_count in session.execute(
        select(
            RefundRequest.requested_by_id,
            func.count(RefundRequest.id),
            func.coalesce(func.sum(RefundRequest.amount), 0),
            func.count(RefundRequest.id).filter(near),
        )
        .where(*_direct(period.start, period.end, user_ids))
        .group_by(RefundRequest.requested_by_id)
    ):
        item = row(user_id)
        item.count, item.total, item.near_limit = count, Decimal(total).quantize(CENT), near_count
    day = clock.local_day(RefundRequest.created_on, session.get_bind().dialect.name).label("day")
    for user_id, local_day, count, total in session.execute(
        select(RefundRequest.requested_by_id, day, func.count(RefundRequest.id), func.sum(RefundRequest.amount))
        .where(*_direct(period.start, period.end, user_ids))
        .group_by(RefundRequest.requested_by_id, day)
    ):
        item = row(user_id)
        total = Decimal(total).quantize(CENT)
        item.days.append((str(local_day), count, total))
        item.max_daily_count = max(item.max_daily_count, count)
        item.max_daily_sum = max(item.max_daily_sum, total)
    # Refunds to one customer within 30 days: the 30 days up to the period's end.
    window_start = period.end - monitoring.SAME_CUSTOMER_WITHIN
    per_customer = (
        select(RefundRequest.requested_by_id.label("user_id"), func.count(RefundRequest.id).label("refunds"))
        .join(Complaint, Complaint.id == RefundRequest.complaint_id)
        .where(*_direct(window_start, period.end, user_ids))
        .group_by(RefundRequest.requested_by_id, Complaint.customer_phone)
        .subquery()
    )
    for user_id, most in session.execute(
        select(per_customer.c.user_id, func.max(per_customer.c.refunds)).group_by(per_customer.c.user_id)
    ):
        # Somebody without a refund this month shows only for a customer refunded more than once.
        if user_id in found or most > 1:
            row(user_id).same_customer = most
    attempts = [RefundAttempt.created_on >= period.start, RefundAttempt.created_on < period.end]
    if user_ids is not None:
        attempts.append(RefundAttempt.user_id.in_(user_ids))
    for user_id, count in session.execute(
        select(RefundAttempt.user_id, func.count(RefundAttempt.id)).where(*attempts).group_by(RefundAttempt.user_id)
    ):
        row(user_id).split_refused = count
    _name(found)
    for item in found.values():
        item.days.sort()
        item.flags = monitoring.flags(item.figures(), limits)
    return found


def _name(found: dict[int, StaffFigures]) -> None:
    if not found:
        return
    rows = db.session.execute(
        select(User, Department.name)
        .outerjoin(StaffProfile, StaffProfile.user_id == User.id)
        .outerjoin(Department, Department.id == StaffProfile.department_id)
        .where(User.id.in_(list(found)))
    ).all()
    for user, department in rows:
        found[user.id].name = person_name(user)
        found[user.id].department = department or ""


# --- the report ----------------------------------------------------------------------------


def scope_of(viewer) -> set[int] | None:
    """The departments whose staff a viewer may monitor: their subtree; None for everything."""
    if viewer.sees_everything:
        return None
    return set(viewer.department_ids)


def report(viewer, month: date, now: datetime, department_id: int | None = None, user_id: int | None = None):
    """The rows a viewer may see for ``month``, narrowed to a department subtree or one staff member.

    A department or staff member outside the viewer's scope is ``None`` (the caller answers 404).
    """
    scope = scope_of(viewer)
    departments = scope
    if department_id is not None:
        edges = db.session.query(Department.id, Department.parent_id).all()
        if scope is not None and department_id not in scope:
            return None
        departments = subtree(department_id, edges)
    if user_id is not None:
        staff_department = db.session.scalar(select(StaffProfile.department_id).where(StaffProfile.user_id == user_id))
        if staff_department is None or (departments is not None and staff_department not in departments):
            return None
        user_ids = [user_id]
    else:
        user_ids = staff_in(departments) if departments is not None else None
    limits = thresholds()
    period = month_period(month, now)
    rows = sorted(
        figures(period, limits, user_ids).values(), key=lambda item: (-len(item.flags), -item.total, item.name)
    )
    return period, limits, rows


# --- alerts --------------------------------------------------------------------------------


def department_manager_ids(user_id: int) -> list[int]:
    """§1: the staff member's department manager (部门经理): the nearest holder of that position in
    their department or above; failing one, the nearest department's named manager."""
    session = db.session
    department_id = session.scalar(select(StaffProfile.department_id).where(StaffProfile.user_id == user_id))
    if department_id is None:
        return []
    edges = dict(session.query(Department.id, Department.parent_id).all())
    chain, node = [], department_id
    while node is not None and node not in chain:
        chain.append(node)
        node = edges.get(node)
    holders = defaultdict(list)
    for holder, department in session.execute(
        select(StaffProfile.user_id, StaffProfile.department_id)
        .where(
            StaffProfile.department_id.in_(chain),
            StaffProfile.position == "department_manager",
            StaffProfile.user_id != user_id,
        )
        .order_by(StaffProfile.id)
    ):
        holders[department].append(holder)
    for department in chain:
        if holders[department]:
            return holders[department]
    managers = dict(session.execute(select(Department.id, Department.manager_id).where(Department.id.in_(chain))).all())
    for department in chain:
        if managers.get(department) not in (None, user_id):
            return [managers[department]]
    return []


def _message(item: StaffFigures, flag: str, value, limit, period: str) -> str:
    from app.policy.vocabulary import MONITORING_FLAGS, label

    return str(
        _(
            "%(staff)s (%(department)s): %(flag)s: %(value)s, threshold %(limit)s (%(period)s).",
            staff=item.name,
            department=item.department,
            flag=label(MONITORING_FLAGS, flag),
            value=value,
            limit=limit,
            period=period,
        )
    )


def alert_breaches(now: datetime) -> int:
    """Raise each flag of this month (and of each day of it) once per staff member and period."""
    from app.alerts import raise_alert

    limits = thresholds()
    period = month_period(clock.current_month(now), now)
    raised = 0
    for item in figures(period, limits).values():
        breaches = []
        for day, count, total in item.days:
            day_flags = monitoring.flags(monitoring.Figures(daily_count=count, daily_sum=total), limits)
            for flag in ("daily_count", "daily_sum"):
                if flag in day_flags:
                    breaches.append((flag, day, count if flag == "daily_count" else total))
        for flag in item.flags:
            if monitoring.FLAGS[flag][0] == monitoring.MONTH:
                breaches.append((flag, period.key, getattr(item.figures(), flag)))
        if not breaches:
            continue
        managers = department_manager_ids(item.user_id)
        for flag, period_key, value in breaches:
            limit = limits[monitoring.FLAGS[flag][1]]
            alert_id = raise_alert(
                f"refund_{flag}",
                f"refund_{flag}:{item.user_id}:{period_key}",
                managers,
                message=_message(item, flag, value, limit, period_key),
            )
            raised += alert_id is not None
    return raised
