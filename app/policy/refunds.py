"""Refund and waiver requests (SPEC.md §2.4–2.5): request, decide, never edit a decision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.policy import authority, vocabulary
from app.policy.complaints import parse_amount
from app.policy.errors import Conflict, NotAllowed, ValidationFailed
from app.policy.i18n import _

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
# (decided) the requests that count towards a complaint's running total.
COUNTED_STATUSES = (PENDING, APPROVED)

LIABILITIES = tuple(vocabulary.LIABILITIES)
# §2.4 flexible handling: what may justify a refund where the company is not at fault.
CONSIDERATIONS = tuple(vocabulary.CONSIDERATIONS)
NOTE_MAX_LENGTH = 2000

DECISIONS = {"approve": APPROVED, "reject": REJECTED}


@dataclass(frozen=True)
class Assessment:
    """What a new request needs: its level, and whether the requester may decide it at once."""

    total: Decimal
    required_level: str
    decided_at_once: bool


def check_request(amount, liability: str | None, considerations: Iterable[str] | None, note: str | None) -> Decimal:
    """The amount as a Decimal, or ``ValidationFailed`` naming every bad value."""
    errors: dict[str, object] = {}
    value = None
    try:
        value = parse_amount(amount) if amount not in (None, "") else None
    except ValueError as error:
        errors["amount"] = str(error)
    if "amount" not in errors:
        if value is None:
            errors["amount"] = _("This field is required.")
        elif value <= 0:
            errors["amount"] = _("A refund must be more than 0.00 yuan.")
    if liability not in LIABILITIES:
        errors["liability"] = _("Say whether the company is at fault: yes or no.")
    chosen = list(considerations or [])
    unknown = [item for item in chosen if item not in CONSIDERATIONS]
    if unknown:
        errors["considerations"] = _("Not a valid choice: use one of %(codes)s.", codes=", ".join(CONSIDERATIONS))
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("At most %(count)s characters.", count=NOTE_MAX_LENGTH)
    if liability == "no":
        # §2.4: without liability, a refund needs a reason beyond the amount.
        if not chosen:
            errors["considerations"] = _("Where the company is not at fault, give at least one consideration.")
        if not (note or "").strip():
            errors["note"] = _("Where the company is not at fault, explain the refund in a note.")
    if errors:
        raise ValidationFailed(errors)
    return value


def assess(
    amount: Decimal,
    counted_so_far: Decimal,
    *,
    customer_prepaid: bool,
    frontline_eligible: bool,
    requester_authority: str | None,
    requester_in_scope: bool,
) -> Assessment:
    """(decided) Anti-splitting: the level is set by the complaint's running total.

    The requester decides at once exactly when they could decide it later (``may_decide``).
    """
    total = counted_so_far + amount
    level = authority.required_level(total, customer_prepaid=customer_prepaid, frontline_eligible=frontline_eligible)
    at_once = may_decide(requester_authority, level, in_scope=requester_in_scope)
    return Assessment(total=total, required_level=level, decided_at_once=at_once)


def may_decide(decider_authority: str | None, required_level: str, *, in_scope: bool) -> bool:
    """§2: only the complaint's receiving unit (or Leadership) decides, within its authority."""
    return in_scope and authority.covers(decider_authority, required_level)


def check_decision(
    status: str, required_level: str, decider_authority: str | None, decision: str, *, in_scope: bool
) -> str:
    """The new status, or an error: already decided (409), beyond authority or unit (403)."""
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": _("Decide approve or reject.")})
    if status != PENDING:
        raise Conflict(_("This request has already been decided."))
    if not in_scope:
        raise NotAllowed(_("This request belongs to another unit's complaint: its own managers decide it."))
    if not may_decide(decider_authority, required_level, in_scope=in_scope):
        raise NotAllowed(
            _(
                "This request needs a decision by %(level)s: beyond your authority.",
                level=vocabulary.label(vocabulary.REFUND_LEVELS, required_level),
            )
        )
    return DECISIONS[decision]


def check_unchanged(old_status: str | None) -> None:
    """§2: every decision is kept; a decided request cannot be edited or deleted."""
    if old_status in (APPROVED, REJECTED):
        raise Conflict(_("A decided refund cannot be changed or deleted."))


# The steps below take model objects and a session: they are what every door
# (form, API, job, script) runs, through the flush hook in app.policy.hooks.

EDITABLE_WHILE_PENDING = {"status", "decided_by_id", "decided_at", "decision_note", "version"}


def serialise(session, complaint_id: int) -> None:
    """§2: requests and decisions on one complaint are taken one after the other, on every
    database: the complaint is locked until the transaction ends (app.locks)."""
    from app.locks import lock_row
    from app.models import Complaint

    lock_row(session, Complaint.id, complaint_id)


def counted_total(session, complaint_id: int) -> Decimal:
    """The amount already requested (pending or approved) on a complaint, read under its lock."""
    from sqlalchemy import func, select

    from app.models import RefundRequest

    # Two requests at once cannot both read the total before either is saved.
    serialise(session, complaint_id)
    total = session.scalar(
        select(func.coalesce(func.sum(RefundRequest.amount), 0)).where(
            RefundRequest.complaint_id == complaint_id,
            RefundRequest.status.in_(COUNTED_STATUSES),
        )
    )
    return Decimal(total).quantize(Decimal("0.01"))


def admit(session, refund, counted_so_far: Decimal, now) -> None:
    """Set a new request's level and status: approved at once when the requester may decide it."""
    amount = check_request(refund.amount, refund.liability, refund.considerations_list, refund.note)
    if refund.requested_by is None or refund.complaint is None or refund.refund_type is None:
        raise ValidationFailed(
            {
                field: _("This field is required.")
                for field, value in (
                    ("requested_by", refund.requested_by),
                    ("complaint", refund.complaint),
                    ("refund_type", refund.refund_type),
                )
                if value is None
            }
        )
    requester_authority = authority.authority_of(role.name for role in refund.requested_by.roles)
    assessment = assess(
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
        refund.status = APPROVED
        refund.decided_by = refund.requested_by
        refund.decided_at = now
    else:
        refund.status = PENDING
        refund.decided_by = None
        refund.decided_at = None


def check_change(session, refund, changes: dict[str, tuple]) -> None:
    """A pending request may only be decided, by someone who may decide it (``may_decide``)."""
    old_status = changes["status"][0] if "status" in changes else refund.status
    check_unchanged(old_status)
    edited = sorted(set(changes) - EDITABLE_WHILE_PENDING)
    if edited:
        raise ValidationFailed(
            {field: _("A request cannot be edited: reject it and request again.") for field in edited}
        )
    if refund.status != PENDING:
        decider = refund.decided_by
        decider_authority = authority.authority_of(role.name for role in decider.roles) if decider else None
        in_scope = decider is not None and in_approval_scope(session, decider, refund.complaint)
        check_decision(
            PENDING, refund.required_level, decider_authority, _decision_of(refund.status), in_scope=in_scope
        )
        if refund.decided_at is None:
            raise ValidationFailed({"decided_at": _("This field is required.")})


def _decision_of(status: str) -> str:
    return {value: key for key, value in DECISIONS.items()}.get(status, status)


def in_approval_scope(session, decider, complaint) -> bool:
    """(decided) Managers decide for their unit; company leadership for every unit."""
    from app.models import Department
    from app.policy.organisation import approval_scope
    from app.policy.roles import sees_everything

    role_names = [role.name for role in decider.roles]
    if sees_everything(role_names):
        return True
    profile = getattr(decider, "profile", None)
    if profile is None:
        return False
    edges = session.query(Department.id, Department.parent_id).all()
    return complaint.receiving_department_id in approval_scope(profile.department_id, edges)


def check_reason(decision: str, note: str | None) -> None:
    """(decided) A rejection says why: the requester and the customer are owed a reason."""
    if decision == "reject" and not (note or "").strip():
        raise ValidationFailed({"note": _("Give the reason for rejecting.")})


def decide(session, refund, decider, decision: str, note: str | None, now) -> None:
    """Record a decision on ``refund``; the flush checks it (and that nobody decided first)."""
    decider_authority = authority.authority_of(role.name for role in decider.roles)
    status = check_decision(
        refund.status,
        refund.required_level,
        decider_authority,
        decision,
        in_scope=in_approval_scope(session, decider, refund.complaint),
    )
    check_reason(decision, note)
    refund.status = status
    refund.decided_by = decider
    refund.decided_at = now
    refund.decision_note = (note or "").strip() or None


def decider_ids(session, refund) -> list[int]:
    """Who is asked to decide a pending request: the lowest level that may, in its unit.

    (decided) The managers of the complaint's unit whose authority is the lowest that
    covers the request; if the unit has none (or leadership is needed), the unit's
    supervising company leader, else every company leader.
    """
    from flask_appbuilder.security.sqla.models import Role, User
    from sqlalchemy import select

    from app.models import Department, StaffProfile
    from app.policy.organisation import approval_scope, unit_of
    from app.policy.roles import LEADERSHIP

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
