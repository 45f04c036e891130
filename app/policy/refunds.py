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


EDITABLE_WHILE_PENDING = {"status", "decided_by_id", "decided_at", "decision_note", "version"}


def check_parties(requested_by, complaint, refund_type) -> None:
    """A request names who asks, on which complaint, and the refund type."""
    missing = {
        field: _("This field is required.")
        for field, value in (("requested_by", requested_by), ("complaint", complaint), ("refund_type", refund_type))
        if value is None
    }
    if missing:
        raise ValidationFailed(missing)


def check_edit(old_status: str | None, changed_fields: Iterable[str]) -> None:
    """A pending request may only be decided: a decision is kept, anything else is requested again."""
    check_unchanged(old_status)
    edited = sorted(set(changed_fields) - EDITABLE_WHILE_PENDING)
    if edited:
        raise ValidationFailed(
            {field: _("A request cannot be edited: reject it and request again.") for field in edited}
        )


def decision_of(status: str) -> str:
    """The decision (approve, reject) that gives ``status``."""
    return {value: key for key, value in DECISIONS.items()}.get(status, status)


def check_reason(decision: str, note: str | None) -> None:
    """(decided) A rejection says why: the requester and the customer are owed a reason."""
    if decision == "reject" and not (note or "").strip():
        raise ValidationFailed({"note": _("Give the reason for rejecting.")})
