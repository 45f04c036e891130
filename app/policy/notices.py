"""Notices (SPEC.md §7): their life in the outbox and when a failed one is tried again.

A notice is ``queued`` until a worker claims it (``sending``), then ``sent``; with
no mail server configured it is ``stored`` (kept, readable, never sent). A failed
attempt puts it back to ``queued`` with the time of its next attempt; after the
last one it is ``failed`` and waits for Admin to resend it.
"""

from datetime import datetime, timedelta

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STORED = "stored"

# §7 (decided): growing waits between attempts while the mail server is down.
# Seven attempts in about 16 hours; then Admin resends from the outbox.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

# A worker that claimed a notice and vanished (crash, kill) leaves it ``sending``;
# past this age the scan puts it back in the queue.
STALE_SENDING = timedelta(minutes=15)

# An email template as Admin edits it (body), and what rendering one may produce: a template
# that loops over loops is stopped at either bound and the shipped template is used instead.
TEMPLATE_MAX_LENGTH = 20_000
RENDERED_MAX_LENGTH = 500_000
RENDER_SECONDS = 0.5

# Admin may send again what was not delivered.
RESENDABLE = (FAILED, STORED)


def next_attempt_at(attempts: int, failed_at: datetime) -> datetime | None:
    """When to try again after the ``attempts``-th attempt failed; None: give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return failed_at + RETRY_DELAYS[attempts - 1]
