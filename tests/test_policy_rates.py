"""The bulletin's rates (app/policy/rates.py): what each counts, with the boundaries in each row."""

from datetime import UTC, datetime, timedelta

import pytest

from app.policy import rates

DUE = datetime(2026, 10, 3, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [(1, 4, 25.0), (2, 6, 33.3), (1, 3, 33.3), (2, 3, 66.7), (0, 5, 0.0), (5, 5, 100.0), (0, 0, None)],
)
def test_a_rate_is_per_cent_with_one_decimal_and_none_without_anything_to_count(part, whole, percent):
    assert rates.percent(part, whole) == percent


@pytest.mark.parametrize(
    ("status", "replied_at", "on_time"),
    [
        ("replied", DUE, True),  # at the deadline is on time
        ("replied", DUE + MINUTE, False),
        ("returned", None, False),  # a return is not a reply
        ("open", None, False),
        ("accepted", None, False),
    ],
)
def test_a_dispatch_is_answered_on_time_by_a_reply_by_its_deadline(status, replied_at, on_time):
    assert rates.dispatch_replied_on_time(status, replied_at, DUE) is on_time


@pytest.mark.parametrize(
    ("status", "now", "counted"),
    [
        ("open", DUE, False),  # still within its deadline: not counted yet
        ("open", DUE + MINUTE, True),
        ("accepted", DUE + MINUTE, True),
        ("replied", DUE - MINUTE, True),
        ("returned", DUE - MINUTE, True),
    ],
)
def test_a_dispatch_counts_once_answered_or_past_its_deadline(status, now, counted):
    assert rates.dispatch_counts_for_reply(status, DUE, now) is counted


@pytest.mark.parametrize(
    ("callback", "satisfied"),
    [("satisfied", True), ("basically_satisfied", True), ("dissatisfied", False), (None, False)],
)
def test_satisfied_and_basically_satisfied_callbacks_count_as_satisfied(callback, satisfied):
    assert rates.is_satisfied(callback) is satisfied


def test_every_rate_has_a_name_and_a_definition():
    assert [rate.key for rate in rates.RATES] == ["on_time_reply", "satisfaction", "repeat", "escalation"]
    assert all(str(rate.name) and len(str(rate.definition)) > 40 for rate in rates.RATES)
