"""The rates the monthly bulletin is judged by (SPEC.md §6 月度通报, decided): what each counts.

Each rate is a share of a month's items, in per cent with one decimal; a month with
nothing to count has no rate (``None``), not 0 %. The bulletin counts with these
definitions and prints each one beside its figure, in the page, the workbook and the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.policy.i18n import _

# §3 department accountability: a dispatch is answered on time when its reply is recorded
# by its reply deadline (24 h, decided). A returned dispatch is not a reply.
REPLIED = "replied"
# A dispatch still waiting for its reply (not yet counted unless its deadline has passed).
AWAITING_REPLY = ("open", "accepted")
# §3 回访: the callbacks that count as a satisfied customer.
SATISFIED_CALLBACKS = ("satisfied", "basically_satisfied")
# One decimal place in the bulletin's per cent figures.
PERCENT_PLACES = 1


@dataclass(frozen=True)
class Rate:
    key: str
    name: object
    definition: object


ON_TIME_REPLY = Rate(
    "on_time_reply",
    _("On-time reply rate"),
    _(
        "Dispatches of the month replied to by their reply deadline, out of the month's dispatches "
        "replied to, returned or past their deadline (one still within its deadline is not counted yet)."
    ),
)
SATISFACTION = Rate(
    "satisfaction",
    _("Satisfaction rate"),
    _(
        "Complaints of the month whose customer callback was satisfied or basically satisfied, "
        "out of the month's complaints with a callback recorded."
    ),
)
REPEAT = Rate(
    "repeat",
    _("Repeat complaint rate"),
    _(
        "Complaints of the month from a customer who complained about the same category "
        "within the 30 days before, out of the month's complaints."
    ),
)
ESCALATION = Rate(
    "escalation",
    _("Escalated complaint share"),
    _(
        "Complaints of the month forwarded by an escalation source (MIIT, group headquarters, "
        "provincial bodies, consumer association, petition office, media), out of the month's complaints."
    ),
)

# In the order the bulletin shows them.
RATES = (ON_TIME_REPLY, SATISFACTION, REPEAT, ESCALATION)


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent, one decimal; None when there is nothing to count."""
    if not whole:
        return None
    return round(100 * part / whole, PERCENT_PLACES)


def dispatch_counts_for_reply(status: str, reply_due: datetime, now: datetime) -> bool:
    """Does a dispatch count in the on-time reply rate as of ``now``?"""
    return status not in AWAITING_REPLY or reply_due < now


def dispatch_replied_on_time(status: str, replied_at: datetime | None, reply_due: datetime) -> bool:
    return status == REPLIED and replied_at is not None and replied_at <= reply_due


def is_satisfied(callback: str | None) -> bool:
    return callback in SATISFIED_CALLBACKS
