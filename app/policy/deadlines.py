"""When things are due (SPEC.md §3, decided; Admin may set other hours per category)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

# §3 (decided): first contact with the customer within 24 hours of receipt.
FIRST_CONTACT = timedelta(hours=24)
# §3 (decided): the final result within 48 hours of receipt.
FINAL_RESULT = timedelta(hours=48)
# §3 (decided): the responsible department's preliminary reply within 24 hours of a dispatch.
DISPATCH_REPLY = timedelta(hours=24)
# A category's own limit, in hours, must lie between these.
MIN_HOURS = 1
MAX_HOURS = 24 * 90


@dataclass(frozen=True)
class Limits:
    first_contact: timedelta = FIRST_CONTACT
    final_result: timedelta = FINAL_RESULT
    dispatch_reply: timedelta = DISPATCH_REPLY


DEFAULTS = Limits()


def limits_of(category) -> Limits:
    """The limits of ``category`` (an object with ``*_hours``, or None): its own hours or the defaults."""

    def hours(name: str, default: timedelta) -> timedelta:
        value = getattr(category, name, None) if category is not None else None
        return timedelta(hours=value) if value else default

    return Limits(
        first_contact=hours("first_contact_hours", FIRST_CONTACT),
        final_result=hours("final_result_hours", FINAL_RESULT),
        dispatch_reply=hours("dispatch_reply_hours", DISPATCH_REPLY),
    )


def first_reply_due(received_at: datetime, limits: Limits = DEFAULTS) -> datetime:
    return received_at + limits.first_contact


def resolve_due(received_at: datetime, limits: Limits = DEFAULTS) -> datetime:
    return received_at + limits.final_result


def dispatch_reply_due(dispatched_at: datetime, limits: Limits = DEFAULTS) -> datetime:
    return dispatched_at + limits.dispatch_reply


def check_hours(value: int | None) -> bool:
    return value is None or MIN_HOURS <= value <= MAX_HOURS
