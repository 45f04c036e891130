"""Repeat complaints (重复投诉): the same customer again about the same thing.

(decided, issue 11) A complaint is a repeat when an earlier complaint has the same
customer phone number and the same category, and was received at most 30 days
before it: ``new.received_at - earlier.received_at <= REPEAT_WITHIN`` (29 days
23:59 and exactly 30 days are repeats, 30 days and 1 minute is not). It is linked
to the most recent such complaint. Another category is never a repeat.
"""

from datetime import datetime, timedelta

# Issue 11 (the industry's 重复投诉率): "within 30 days" of an earlier complaint, inclusive.
REPEAT_WITHIN = timedelta(days=30)


def window_start(received_at: datetime) -> datetime:
    """The earliest time an earlier complaint may have been received to make this one a repeat."""
    return received_at - REPEAT_WITHIN


def is_repeat(received_at: datetime, earlier_received_at: datetime) -> bool:
    """Does an earlier complaint (same phone, same category) received then make this one a repeat?"""
    return timedelta(0) <= received_at - earlier_received_at <= REPEAT_WITHIN


def rate(repeats: int, total: int) -> float:
    """The repeat rate as a fraction (0.0 without complaints)."""
    return repeats / total if total else 0.0
