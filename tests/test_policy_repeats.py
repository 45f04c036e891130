"""Repeat complaints (重复投诉) and small-refund flags as plain Python: each boundary named."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.policy import ValidationFailed, monitoring, repeats

T = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)

# (earlier complaint received this long before the new one, repeat?)
WINDOW = [
    (timedelta(0), True),  # the same minute
    (timedelta(days=29, hours=23, minutes=59), True),  # 29 days 23:59
    (timedelta(days=30), True),  # exactly 30 days: "within 30 days" is inclusive
    (timedelta(days=30, minutes=1), False),  # 30 days and 1 minute
    (timedelta(days=-1), False),  # received after the new one: not an earlier complaint
]


@pytest.mark.parametrize(("before", "repeat"), WINDOW)
def test_the_30_day_window_is_inclusive(before, repeat):
    assert repeats.is_repeat(T, T - before) is repeat
    assert (T - before >= repeats.window_start(T)) is (before <= repeats.REPEAT_WITHIN)


@pytest.mark.parametrize(("repeated", "total", "rate"), [(0, 0, 0.0), (1, 4, 0.25), (3, 3, 1.0)])
def test_the_repeat_rate(repeated, total, rate):
    assert repeats.rate(repeated, total) == rate


LIMITS = {**monitoring.DEFAULTS}

# (figure, value, flag raised?) at each default threshold and just below it.
FLAGS = [
    ("daily_count", monitoring.DAILY_COUNT, True),  # 5 direct refunds in a day
    ("daily_count", monitoring.DAILY_COUNT - 1, False),
    ("daily_sum", monitoring.DAILY_SUM, True),  # 300.00 yuan in a day
    ("daily_sum", monitoring.DAILY_SUM - Decimal("0.01"), False),
    ("monthly_count", monitoring.MONTHLY_COUNT, True),  # 30 in a month
    ("monthly_count", monitoring.MONTHLY_COUNT - 1, False),
    ("monthly_sum", monitoring.MONTHLY_SUM, True),  # 2000.00 yuan in a month
    ("monthly_sum", monitoring.MONTHLY_SUM - Decimal("0.01"), False),
    ("same_customer", monitoring.SAME_CUSTOMER_COUNT, True),  # 2 to one customer in 30 days
    ("same_customer", monitoring.SAME_CUSTOMER_COUNT - 1, False),
    ("near_limit", monitoring.NEAR_LIMIT_COUNT, True),  # 3 just under 100 in a month
    ("near_limit", monitoring.NEAR_LIMIT_COUNT - 1, False),
    ("split_refused", monitoring.SPLIT_REFUSED_COUNT, True),  # 1 refused splitting attempt
    ("split_refused", monitoring.SPLIT_REFUSED_COUNT - 1, False),
]


@pytest.mark.parametrize(("figure", "value", "raised"), FLAGS)
def test_each_flag_at_its_threshold_and_just_below(figure, value, raised):
    flags = monitoring.flags(monitoring.Figures(**{figure: value}), LIMITS)
    assert flags == ([figure] if raised else [])


@pytest.mark.parametrize(
    ("alone_covered", "total_covered", "refused"),
    [(True, False, True), (True, True, False), (False, False, False)],
)
def test_a_split_refusal_is_a_direct_refund_the_running_total_took_away(alone_covered, total_covered, refused):
    assert monitoring.is_split_refusal(alone_covered, total_covered) is refused


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({}, set()),
        ({"daily_count": 0}, {"daily_count"}),
        ({"monthly_sum": Decimal("0.00")}, {"monthly_sum"}),
        ({"near_limit_from": Decimal("100.01")}, {"near_limit_from"}),  # above the §2.5 limit
        ({"near_limit_from": Decimal("100.00")}, set()),
        ({"split_refused_count": None}, {"split_refused_count"}),
    ],
)
def test_thresholds_are_checked(changes, fields):
    values = {**monitoring.DEFAULTS, **changes}
    if not fields:
        monitoring.validate_thresholds(values)
        return
    with pytest.raises(ValidationFailed) as raised:
        monitoring.validate_thresholds(values)
    assert set(raised.value.errors) == fields
