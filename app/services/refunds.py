"""Refund and waiver requests (SPEC.md §2.4–2.5) as saved: admitted, decided, told.

The rules are ``app.policy.refunds``; this module reads what they judge (the running
total, the approval scope, the deciders) and writes the outcome. Every save of a
request runs ``check_saved`` and ``notify`` (app.binding), whatever the door.
"""

from decimal import Decimal

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from app import clock, monitoring, notices, recipients
from app.extensions import db
from app.locks import lock_row
from app.models import Complaint, Department, RefundRequest, RefundType, StaffProfile
from app.models.org import person_name
from app.policy import ValidationFailed, authority
from app.policy import refunds as policy
from app.policy.i18n import _
from app.policy.organisation import approval_scope, unit_of
from app.policy.roles import LEADERSHIP, sees_everything
from app.policy.vocabulary import REFUND_LEVELS, REFUND_STATUSES, label
from app.services.saves import changes_of


def serialise(session, complaint_id: int) -> None:
    """§2: requests and decisions on one complaint are taken one after the other, on every
    database: the complaint is locked until the transaction ends (app.locks)."""
    lock_row(session, Complaint.id, complaint_id)


def counted_total(session, complaint_id: int) -> Decimal:
    """The amount already requested (pending or approved) on a complaint, read under its lock."""
    # Two requests at once cannot both read the total before either is saved.
    serialise(session, complaint_id)
    total = session.scalar(
        select(func.coalesce(func.sum(RefundRequest.amount), 0)).where(
            RefundRequest.complaint_id == complaint_id,
            RefundRequest.status.in_(policy.COUNTED_STATUSES),
        )
    )
    return Decimal(total).quantize(Decimal("0.01"))


def in_approval_scope(session, decider, complaint) -> bool:
    """(decided) Managers decide for their unit; company leadership for every unit."""
    role_names = [role.name for role in decider.roles]
    if sees_everything(role_names):
        return True
    profile = getattr(decider, "profile", None)
    if profile is None:
        return False
    edges = session.query(Department.id, Department.parent_id).all()
    return complaint.receiving_department_id in approval_scope(profile.department_id, edges)


def admit(session, refund, counted_so_far: Decimal, now) -> None:
    """Set a new request's level and status: approved at once when the requester may decide it."""
    amount = policy.check_request(refund.amount, refund.liability, refund.considerations_list, refund.note)
    policy.check_parties(refund.requested_by, refund.complaint, refund.refund_type)
    requester_authority = authority.authority_of(role.name for role in refund.requested_by.roles)
    assessment = policy.assess(
        amount,
        counted_so_far,
        customer_prepaid=bool(refund.complaint.customer_prepaid),
        frontline_eligible=bool(refund.refund_type.frontline_eligible),
        requester_authority=requester_authority,
        requester_in_scope=in_approval_scope(session, refund.requested_by, refund.complaint),
    )
    refund.amount = amount
    refund.required_level = assessment.required_level
    if assessment.decided_at_once:
        refund.status = policy.APPROVED
        refund.decided_by = refund.requested_by
        refund.decided_at = now
    else:
        refund.status = policy.PENDING
        refund.decided_by = None
        refund.decided_at = None


def check_change(session, refund, changes: dict[str, tuple]) -> None:
    """A pending request may only be decided, by someone who may decide it (``may_decide``)."""
    policy.check_edit(changes["status"][0] if "status" in changes else refund.status, changes)
    if refund.status != policy.PENDING:
        decider = refund.decided_by
        decider_authority = authority.authority_of(role.name for role in decider.roles) if decider else None
        in_scope = decider is not None and in_approval_scope(session, decider, refund.complaint)
        policy.check_decision(
            policy.PENDING,
            refund.required_level,
            decider_authority,
            policy.decision_of(refund.status),
            in_scope=in_scope,
        )
        if refund.decided_at is None:
            raise ValidationFailed({"decided_at": _("This field is required.")})


def decide(session, refund, decider, decision: str, note: str | None, now) -> None:
    """Record a decision on ``refund``; the flush checks it (and that nobody decided first)."""
    decider_authority = authority.authority_of(role.name for role in decider.roles)
    status = policy.check_decision(
        refund.status,
        refund.required_level,
        decider_authority,
        decision,
        in_scope=in_approval_scope(session, decider, refund.complaint),
    )
    policy.check_reason(decision, note)
    refund.status = status
    refund.decided_by = decider
    refund.decided_at = now
    refund.decision_note = (note or "").strip() or None


def record_refused_decision(refund_id: int, user) -> None:
    """A decision the anti-splitting rule refused (小额赠费监控): kept in a transaction of its
    own, after the refusal rolled everything else back."""
    session = db.session
    refund = session.get(RefundRequest, refund_id)
    if refund is None or refund.status != policy.PENDING or not monitoring.refused_by_splitting(refund, user):
        return
    total = counted_total(session, refund.complaint_id)
    session.add(monitoring.attempt(refund, user, "decision", total))
    session.commit()


def decider_ids(session, refund) -> list[int]:
    """Who is asked to decide a pending request: the lowest level that may, in its unit.

    (decided) The managers of the complaint's unit whose authority is the lowest that
    covers the request; if the unit has none (or leadership is needed), the unit's
    supervising company leader, else every company leader.
    """
    edges = session.query(Department.id, Department.parent_id).all()
    receiving = refund.complaint.receiving_department_id
    staff = session.execute(
        select(User)
        .join(StaffProfile, StaffProfile.user_id == User.id)
        .where(StaffProfile.department_id.in_(approval_scope(receiving, edges)), User.active.is_(True))
        .order_by(User.id)
    ).scalars()
    by_level: dict[str, list[int]] = {}
    for user in staff:
        by_level.setdefault(authority.authority_of(role.name for role in user.roles), []).append(user.id)
    for level in authority.LEVELS[authority.LEVELS.index(refund.required_level) :]:
        if level != authority.LEADERSHIP and by_level.get(level):
            return by_level[level]
    leader = session.get(Department, unit_of(receiving, edges)).supervising_leader_id
    if leader is not None:
        return [leader]
    return list(
        session.scalars(
            select(User.id).join(User.roles).where(Role.name == LEADERSHIP, User.active.is_(True)).order_by(User.id)
        )
    )


def check_saved(session: Session) -> None:
    """§2.4–2.5 on every save of a refund request, whatever the door."""
    now = clock.now()
    running_totals = {}
    with session.no_autoflush:
        for obj in sorted((o for o in session.new if isinstance(o, RefundRequest)), key=id):
            complaint_id = obj.complaint.id if obj.complaint is not None else obj.complaint_id
            if complaint_id is not None and complaint_id not in running_totals:
                running_totals[complaint_id] = counted_total(session, complaint_id)
            # The API gives ids; the rules read the related rows.
            if obj.complaint is None and complaint_id is not None:
                obj.complaint = session.get(Complaint, complaint_id)
            if obj.refund_type is None and obj.refund_type_id is not None:
                obj.refund_type = session.get(RefundType, obj.refund_type_id)
            admit(session, obj, running_totals.get(complaint_id, 0), now)
            if obj.status == policy.PENDING and monitoring.refused_by_splitting(obj, obj.requested_by):
                # 小额赠费监控: the direct refund the running total refused, kept for the audit.
                total = running_totals.get(complaint_id, 0) + obj.amount
                session.add(monitoring.attempt(obj, obj.requested_by, "request", total))
            if obj.status in policy.COUNTED_STATUSES:
                running_totals[complaint_id] += obj.amount
        for obj in session.dirty:
            if isinstance(obj, RefundRequest) and session.is_modified(obj):
                changes = changes_of(obj)
                if "status" in changes and obj.complaint_id not in running_totals:
                    # A decision waits for the requests and decisions under way on its complaint.
                    serialise(session, obj.complaint_id)
                check_change(session, obj, changes)
        for obj in session.deleted:
            if isinstance(obj, RefundRequest):
                history = inspect(obj).attrs.status.history
                policy.check_unchanged(history.deleted[0] if history.deleted else obj.status)


def notify(session: Session) -> None:
    """§2.5: a pending request asks its deciders; a decision tells the requester."""
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, RefundRequest):
            continue
        history = inspect(obj).attrs.status.history
        became_pending = obj in session.new and obj.status == policy.PENDING
        decided = history.deleted and history.deleted[0] == policy.PENDING and obj.status != policy.PENDING
        if not (became_pending or decided):
            continue
        with session.no_autoflush:
            context = {"complaint": notices.complaint_context(obj.complaint), "refund": refund_context(obj)}
            if became_pending:
                to = recipients.users(decider_ids(session, obj))
                notices.notify("refund_pending", to, context, f"refund_pending:{obj.id}", complaint=obj.complaint)
            elif obj.decided_by_id != obj.requested_by_id:
                to = recipients.users([obj.requested_by_id])
                notices.notify("refund_decided", to, context, f"refund_decided:{obj.id}", complaint=obj.complaint)


def refund_context(refund: RefundRequest) -> dict:
    """A refund request as the plain values its templates read."""
    return {
        "amount": refund.amount,
        "type": refund.refund_type.name if refund.refund_type else "",
        "level": label(REFUND_LEVELS, refund.required_level),
        "requested_by": person_name(refund.requested_by),
        "decision": label(REFUND_STATUSES, refund.status),
        "decided_by": person_name(refund.decided_by),
        "note": refund.decision_note if refund.status != policy.PENDING else refund.note,
    }
