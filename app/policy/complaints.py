"""What a valid complaint is, and what it gets when it is received (SPEC.md §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from app.policy import deadlines
from app.policy.errors import NotAllowed, ValidationFailed
from app.policy.i18n import _
from app.policy.texts import TEXT_MAX_LENGTH
from app.policy.vocabulary import (
    CAUSES,
    CHANNELS,
    CUSTOMER_VALUES,
    ESCALATION_SOURCES,
    HALL_IMPACTS,
    MAJOR_TYPES,
    MEDIA_LEVELS,
    MEDIA_STATUSES,
    SEVERITIES,
)

# An 11-digit mainland mobile number: 1, then 3–9, then nine digits.
MOBILE_NUMBER = re.compile(r"1[3-9][0-9]{9}")
TOPIC_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = TEXT_MAX_LENGTH
# A received time may run this far ahead of the server's clock (CTI clock skew).
CLOCK_SKEW = timedelta(minutes=5)
MAX_JOINT_COMPLAINANTS = 100_000
MAX_AMOUNT = Decimal("9999999999.99")  # what a Numeric(12, 2) column holds
CENT = Decimal("0.01")

# §3: complaint numbers are DG + the local date + a 4-digit daily sequence.
NUMBER_PREFIX = "DG"

# The fields whose values must be one of a vocabulary's codes.
CODED_FIELDS = {
    "channel": CHANNELS,
    "source": ESCALATION_SOURCES,
    "customer_value": CUSTOMER_VALUES,
    "cause": CAUSES,
    "severity": SEVERITIES,
    "major_type": MAJOR_TYPES,
    "media_level": MEDIA_LEVELS,
    "media_status": MEDIA_STATUSES,
    "hall_impact": HALL_IMPACTS,
}
REQUIRED_FIELDS = ("channel", "category_id", "topic", "summary", "customer_phone")
# A form sets the related row rather than its id; either will do.
RELATED_ROWS = {"category_id": "category"}
# §3 first-contact responsibility: set once, at receipt, never changed.
FIRST_CONTACT_FIELDS = ("receiver_id", "receiving_department_id", "number")


class ComplaintLike(Protocol):
    channel: str | None
    source: str | None
    category_id: int | None
    topic: str | None
    summary: str | None
    customer_phone: str | None
    received_at: datetime | None
    disputed_amount: Decimal | None
    severity: str | None
    major_type: str | None
    media_level: str | None
    media_status: str | None
    joint_complainants: int | None


def is_escalated(source: str | None) -> bool:
    """Ch.1 def. 3: escalated when forwarded by an outside body."""
    return source in ESCALATION_SOURCES


def parse_amount(value: Any) -> Decimal:
    """A yuan amount with at most two decimal places, or ``ValueError``."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("Not a number: give an amount such as 100.00.")) from None
    if not amount.is_finite():
        raise ValueError(_("Not a number: give an amount such as 100.00."))
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    if amount != amount.quantize(CENT):
        raise ValueError(_("At most two decimal places."))
    return amount.quantize(CENT)


def check_phone(value: str | None) -> str | None:
    """The message for a bad customer phone number, or None."""
    if not value:
        return _("Give the customer's phone number.")
    if not MOBILE_NUMBER.fullmatch(value):
        return _("Give an 11-digit mainland mobile number, such as 13800138000.")
    return None


def check_text(value: str | None, max_length: int) -> str | None:
    if value is None or not value.strip():
        return _("This field is required.")
    if len(value) > max_length:
        return _("At most %(count)s characters.", count=max_length)
    return None


def check_received_at(value: datetime | None, now: datetime) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return _("Give the time with its time zone.")
    if value > now + CLOCK_SKEW:
        return _("The received time cannot be in the future.")
    return None


def validate(complaint: ComplaintLike, now: datetime | None = None) -> None:
    """Raise ``ValidationFailed`` naming every invalid field of ``complaint``."""
    now = now or datetime.now(UTC)
    errors: dict[str, object] = {}
    for field in REQUIRED_FIELDS:
        value = getattr(complaint, field, None)
        if value is None and field in RELATED_ROWS:
            value = getattr(complaint, RELATED_ROWS[field], None)
        if value in (None, ""):
            errors[field] = _("This field is required.")
    for field, vocabulary in CODED_FIELDS.items():
        value = getattr(complaint, field, None)
        if value not in (None, "") and value not in vocabulary:
            errors[field] = _("Not a valid choice: use one of %(codes)s.", codes=", ".join(vocabulary))
    for field, max_length in (("topic", TOPIC_MAX_LENGTH), ("summary", SUMMARY_MAX_LENGTH)):
        if field not in errors and (message := check_text(getattr(complaint, field), max_length)):
            errors[field] = message
    if "customer_phone" not in errors and (message := check_phone(complaint.customer_phone)):
        errors["customer_phone"] = message
    if message := check_received_at(complaint.received_at, now):
        errors["received_at"] = message
    amount = complaint.disputed_amount
    if amount is not None:
        try:
            if parse_amount(amount) < 0:
                errors["disputed_amount"] = _("The amount cannot be negative.")
        except ValueError as error:
            errors["disputed_amount"] = str(error)
    joint = complaint.joint_complainants
    if joint is not None and not (1 <= joint <= MAX_JOINT_COMPLAINANTS):
        errors["joint_complainants"] = _("At least one complainant.")
    if complaint.major_type and complaint.severity != "major":
        errors["major_type"] = _("Only a major complaint has a major type.")
    if complaint.media_status and not complaint.media_level:
        errors["media_level"] = _("Say which level of medium is involved.")
    if errors:
        raise ValidationFailed(errors)


@dataclass(frozen=True)
class Receipt:
    """What first-contact responsibility fixes when a complaint is received."""

    receiver_id: int
    receiving_department_id: int
    received_at: datetime
    first_reply_due: datetime
    resolve_due: datetime


def receive(
    receiver_id: int | None,
    receiver_department_id: int | None,
    received_at: datetime | None,
    now: datetime,
    limits: deadlines.Limits = deadlines.DEFAULTS,
) -> Receipt:
    """§3 首问负责制: the receiver and their department follow the complaint to the end."""
    if receiver_id is None or receiver_department_id is None:
        raise NotAllowed(_("Your account belongs to no department, so it cannot receive complaints."))
    received_at = received_at or now
    return Receipt(
        receiver_id=receiver_id,
        receiving_department_id=receiver_department_id,
        received_at=received_at,
        first_reply_due=deadlines.first_reply_due(received_at, limits),
        resolve_due=deadlines.resolve_due(received_at, limits),
    )


def number(local_day: date, sequence: int) -> str:
    """``DG`` + local date + 4-digit sequence, e.g. DG202611280001."""
    return f"{NUMBER_PREFIX}{local_day:%Y%m%d}{sequence:04d}"


def changed_first_contact_fields(changes: dict[str, tuple]) -> list[str]:
    """The first-contact fields an update tried to change (they never change)."""
    return [
        field
        for field in FIRST_CONTACT_FIELDS
        if field in changes and changes[field][0] is not None and changes[field][0] != changes[field][1]
    ]
