"""The periodic checks, run once as of a given time.

`flask --app run complaints scan [--now …]` runs them by hand; RQ's cron runs
them every minute (workers/cron.py). Each check takes ``now``, does its work in
the session and returns how many things it did; the scan commits after each.
Later features add their checks to ``CHECKS``. The outbox's two keep their
order: a notice released by the first is enqueued by the second.
"""

from collections.abc import Callable
from datetime import datetime

from app import incidents, monitoring, notices, progress, workflow
from app.extensions import db

Check = Callable[[datetime], int]

CHECKS: list[tuple[str, Check]] = [
    ("overdue dispatches alerted", workflow.dispatch_overdue),
    ("late first replies alerted", incidents.first_reply_overdue),
    ("late temporary plans alerted", workflow.temporary_plan_overdue),
    ("progress mails", progress.send_due),
    ("small-refund thresholds alerted", monitoring.alert_breaches),
    ("stale notices queued again", notices.release_stale),
    ("queued notices enqueued", notices.enqueue_due),
]


def run(now: datetime) -> dict[str, int]:
    """Run every check once as of ``now``; returns what each did."""
    done = {}
    for name, check in CHECKS:
        done[name] = check(now)
        db.session.commit()
    return done
