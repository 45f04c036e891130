"""`flask --app run complaints scan`: every periodic check once, as of `--now`; reruns send nothing twice."""

from datetime import timedelta

from app import clock, scan
from app.extensions import db
from app.models import Outbox
from tests.helpers import change_with_notice, new_complaint, outbox_row


def run_scan(app, *args):
    return app.test_cli_runner().invoke(args=["complaints", "scan", *args])


def test_a_scan_run_twice_sends_nothing_twice(app, login, mail_server, work, monkeypatch):
    complaint_id = new_complaint(app, login("agent1"))

    def overdue_dispatches(now):
        """A check as later features add them: one notice per complaint and day."""
        return int(change_with_notice(app, complaint_id, key=f"urge:{complaint_id}:{now:%Y%m%d}") is not None)

    monkeypatch.setattr(scan, "CHECKS", [("overdue dispatches urged", overdue_dispatches), *scan.CHECKS])
    first = run_scan(app, "--now", "2026-11-28T09:30:00")
    second = run_scan(app, "--now", "2026-11-28T09:31:00")
    work()
    assert first.exit_code == second.exit_code == 0
    assert "overdue dispatches urged: 1" in first.output
    assert "overdue dispatches urged: 0" in second.output
    assert len(mail_server.messages) == 1
    run_scan(app, "--now", "2026-11-28T09:32:00")
    work()
    assert len(mail_server.messages) == 1
    with app.app_context():
        assert db.session.query(Outbox).count() == 1


def test_now_without_an_offset_is_local_time(app):
    result = run_scan(app, "--now", "2026-11-28T09:30:00")
    assert result.exit_code == 0
    assert "Scan as of 2026-11-28T09:30:00+08:00:" in result.output
    assert "stale notices queued again: 0" in result.output
    utc = run_scan(app, "--now", "2026-11-28T01:30:00Z")
    assert "Scan as of 2026-11-28T09:30:00+08:00:" in utc.output


def test_a_time_that_is_not_iso_8601_is_refused(app):
    result = run_scan(app, "--now", "tomorrow")
    assert result.exit_code == 2
    assert "ISO 8601" in result.output


def test_a_notice_left_sending_by_a_stopped_worker_is_sent_by_the_next_scan(app, login, mail_server, work):
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")))
    with app.app_context():
        # A worker claimed it and died before it could say how it went.
        notice = db.session.get(Outbox, outbox_id)
        notice.status, notice.attempts, notice.attempted_at = "sending", 1, clock.now()
        db.session.commit()
    work()  # the original job finds the notice taken
    assert mail_server.messages == []
    assert "stale notices queued again: 0" in run_scan(app).output
    later = clock.to_local(clock.now() + timedelta(minutes=16)).isoformat()
    result = run_scan(app, "--now", later)
    assert "stale notices queued again: 1" in result.output
    assert "queued notices enqueued: 1" in result.output
    work()
    assert len(mail_server.messages) == 1
    notice = outbox_row(app, outbox_id)
    assert (notice["status"], notice["attempts"]) == ("sent", 2)
    assert "Interrupted while sending" in notice["last_error"]
