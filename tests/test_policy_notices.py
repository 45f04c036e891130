"""When a notice that could not be sent is tried again (§7): growing waits, then Admin."""

from datetime import UTC, datetime, timedelta

import pytest

from app.policy import notices

FAILED_AT = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)

RETRIES = [
    (1, timedelta(minutes=1)),
    (2, timedelta(minutes=5)),
    (3, timedelta(minutes=15)),
    (4, timedelta(hours=1)),
    (5, timedelta(hours=3)),
    (6, timedelta(hours=12)),
    (7, None),  # the last attempt: failed, Admin resends
    (8, None),  # a resend that failed again
]


@pytest.mark.parametrize(("attempts", "wait"), RETRIES)
def test_each_failed_attempt_waits_longer_until_the_last(attempts, wait):
    expected = None if wait is None else FAILED_AT + wait
    assert notices.next_attempt_at(attempts, FAILED_AT) == expected


def test_a_crashed_worker_is_noticed_after_its_jobs_would_have_timed_out():
    from app.notices import JOB_TIMEOUT_SECONDS

    assert timedelta(seconds=JOB_TIMEOUT_SECONDS) < notices.STALE_SENDING
