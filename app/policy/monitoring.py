"""Small-refund monitoring (小额赠费监控, SPEC.md §2.5 audit checks, issue 11).

The regulations make the branches and the customer service centre audit the
refunds front-line staff make on their own authority (≤ 100 yuan, §2.5). Each
check below is a flag on one staff member for one period; it is raised when the
figure reaches its threshold (``>=``). Admin edits the thresholds (the
``monitoring_threshold`` row); these are the defaults, used until then.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.policy.authority import FRONTLINE_LIMIT
from app.policy.errors import ValidationFailed
from app.policy.i18n import _

# (decided, 《小额赠费监控参考标准》 §2.5) defaults per staff member:
# direct frontline refunds in one local day: count and sum.
DAILY_COUNT = 5
DAILY_SUM = Decimal("300.00")
# … in one calendar month (local time).
MONTHLY_COUNT = 30
MONTHLY_SUM = Decimal("2000.00")
# Refunds to the same customer (phone number) within 30 days.
SAME_CUSTOMER_WITHIN = timedelta(days=30)
SAME_CUSTOMER_COUNT = 2
# "Just under the 100-yuan limit" (§2.5 FRONTLINE_LIMIT): from this amount up to the limit …
NEAR_LIMIT_FROM = Decimal("90.00")
# … this many in one month.
NEAR_LIMIT_COUNT = 3
# Attempts refused by the anti-splitting rule (§2.5 decided) in one month.
SPLIT_REFUSED_COUNT = 1

# Each flag: its period (``day`` or ``month``) and the threshold's name.
DAY = "day"
MONTH = "month"
FLAGS = {
    "daily_count": (DAY, "daily_count"),
    "daily_sum": (DAY, "daily_sum"),
    "monthly_count": (MONTH, "monthly_count"),
    "monthly_sum": (MONTH, "monthly_sum"),
    "same_customer": (MONTH, "same_customer_count"),
    "near_limit": (MONTH, "near_limit_count"),
    "split_refused": (MONTH, "split_refused_count"),
}

DEFAULTS = {
    "daily_count": DAILY_COUNT,
    "daily_sum": DAILY_SUM,
    "monthly_count": MONTHLY_COUNT,
    "monthly_sum": MONTHLY_SUM,
    "same_customer_count": SAME_CUSTOMER_COUNT,
    "near_limit_from": NEAR_LIMIT_FROM,
    "near_limit_count": NEAR_LIMIT_COUNT,
    "split_refused_count": SPLIT_REFUSED_COUNT,
}
COUNTS = ("daily_count", "monthly_count", "same_customer_count", "near_limit_count", "split_refused_count")
SUMS = ("daily_sum", "monthly_sum")


@dataclass(frozen=True)
class Figures:
    """One staff member's figures for a day or a month; what the flags compare."""

    daily_count: int = 0
    daily_sum: Decimal = Decimal("0.00")
    monthly_count: int = 0
    monthly_sum: Decimal = Decimal("0.00")
    same_customer: int = 0
    near_limit: int = 0
    split_refused: int = 0


def flags(figures: Figures, thresholds: Mapping[str, object]) -> list[str]:
    """The flags raised: each figure at or above its threshold."""
    return [flag for flag, (_period, name) in FLAGS.items() if getattr(figures, flag) >= thresholds[name]]


def validate_thresholds(values: Mapping[str, object]) -> None:
    """Counts are whole numbers ≥ 1; sums more than 0; the near-limit band inside the limit."""
    errors = {}
    for name in COUNTS:
        value = values.get(name)
        if value is None or int(value) != value or value < 1:
            errors[name] = _("A whole number of at least 1.")
    for name in SUMS:
        value = values.get(name)
        if value is None or Decimal(value) <= 0:
            errors[name] = _("More than 0.00 yuan.")
    near = values.get("near_limit_from")
    if near is None or not Decimal("0.00") < Decimal(near) <= FRONTLINE_LIMIT:
        errors["near_limit_from"] = _("More than 0.00 and at most %(limit)s yuan.", limit=FRONTLINE_LIMIT)
    if errors:
        raise ValidationFailed(errors)


def is_split_refusal(amount_alone_level_covered: bool, total_level_covered: bool) -> bool:
    """§2.5 anti-splitting refused a direct refund: the amount alone was within the
    requester's authority, the complaint's running total is not."""
    return amount_alone_level_covered and not total_level_covered
