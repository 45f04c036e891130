"""Workers send the outbox (§7): real Redis, real SMTP, each notice delivered exactly once."""

import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from rq.job import Job
from rq.timeouts import JobTimeoutException

from app import clock, notices, queue
from app.extensions import db
from app.models import Complaint, Outbox
from config import BASE_DIR
from tests.helpers import change_with_notice, new_complaint, outbox_row, queued_jobs
from workers import jobs


def complaint_number(app, complaint_id):
    with app.app_context():
        return db.session.get(Complaint, complaint_id).number


def scan(app, *args):
    return app.test_cli_runner().invoke(args=["complaints", "scan", *args])


def test_a_worker_delivers_the_notice_with_a_readable_chinese_subject(app, login, mail_server, work):
    complaint_id = new_complaint(app, login("agent1"))
    outbox_id = change_with_notice(app, complaint_id)
    work()
    [message] = mail_server.messages
    number = complaint_number(app, complaint_id)
    assert message["Subject"] == f"【投诉派单】{number} 家中信号差"
    assert message["To"] == "net@dg.example.com"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Message-ID"].startswith(f"<notice-{outbox_id}-")
    assert f"投诉工单：{number}" in message.get_content()
    notice = outbox_row(app, outbox_id)
    assert (notice["status"], notice["attempts"], notice["last_error"]) == ("sent", 1, None)
    assert notice["sent_on"] >= notice["created_on"]


def test_python_m_workers_burst_delivers_what_is_queued(app, login, mail_server, redis_url, tmp_path):
    complaint_id = new_complaint(app, login("agent1"))
    outbox_id = change_with_notice(app, complaint_id)
    environment = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_server.port),
    }
    finished = subprocess.run(
        [sys.executable, "-m", "workers", "--burst"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    [message] = mail_server.messages
    assert message["Subject"] == f"【投诉派单】{complaint_number(app, complaint_id)} 家中信号差"
    assert outbox_row(app, outbox_id)["status"] == "sent"


def test_with_the_mail_server_down_a_notice_waits_then_goes_out_exactly_once(app, login, mail_server, work):
    mail_server.stop()
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")))
    work()
    waiting = outbox_row(app, outbox_id)
    assert waiting["status"] == "queued"
    assert waiting["attempts"] == 1
    assert "ConnectionRefusedError" in waiting["last_error"]
    wait = waiting["next_attempt_at"] - waiting["attempted_at"]
    assert timedelta(minutes=1) <= wait < timedelta(minutes=1, seconds=5)
    assert mail_server.messages == []

    mail_server.start()
    # Not due yet: the scan leaves it waiting.
    assert "queued notices enqueued: 0" in scan(app).output
    work()
    assert mail_server.messages == []
    # A minute later it is tried again, and delivered.
    later = clock.to_local(waiting["next_attempt_at"] + timedelta(seconds=1)).isoformat()
    assert "queued notices enqueued: 1" in scan(app, "--now", later).output
    work()
    delivered = outbox_row(app, outbox_id)
    assert (delivered["status"], delivered["attempts"]) == ("sent", 2)
    assert len(mail_server.messages) == 1
    # Scans and workers after that send nothing more.
    assert "queued notices enqueued: 0" in scan(app, "--now", later).output
    work()
    assert len(mail_server.messages) == 1


def test_after_its_last_attempt_a_notice_is_failed_and_waits_for_admin(app, login, mail_server, work):
    mail_server.stop()
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")))
    with app.app_context():
        notice = db.session.get(notices.Outbox, outbox_id)
        notice.attempts = notices.policy.MAX_ATTEMPTS - 1  # the earlier attempts failed too
        db.session.commit()
    work()
    failed = outbox_row(app, outbox_id)
    assert (failed["status"], failed["attempts"], failed["next_attempt_at"]) == ("failed", 7, None)
    assert "ConnectionRefusedError" in failed["last_error"]
    far_later = clock.to_local(clock.now() + timedelta(days=30)).isoformat()
    assert "queued notices enqueued: 0" in scan(app, "--now", far_later).output


def test_a_second_job_for_the_same_notice_sends_nothing(app, login, mail_server, work):
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")))
    with app.app_context():
        notices.enqueue([(outbox_id, 0)])  # a duplicate, as after a lost acknowledgement
    assert queued_jobs(app) == [f"outbox-{outbox_id}-0"] * 2
    work()
    assert len(mail_server.messages) == 1
    assert jobs.deliver(outbox_id) is None  # a late retry of a sent notice does nothing
    assert len(mail_server.messages) == 1
    assert outbox_row(app, outbox_id)["attempts"] == 1


def test_with_redis_down_the_change_saves_and_its_notice_goes_out_when_redis_returns(
    app, login, mail_server, work, stoppable_redis
):
    complaint_id = new_complaint(app, login("agent1"))
    stoppable_redis.stop()
    outbox_id = change_with_notice(app, complaint_id)
    with app.app_context():
        assert db.session.get(Complaint, complaint_id).responsible_department.code == "NET"
    assert outbox_row(app, outbox_id)["status"] == "queued"
    assert "Redis is unreachable" in scan(app).output

    stoppable_redis.start()  # empty: what it held is lost
    work()
    assert mail_server.messages == []
    assert "queued notices enqueued: 1" in scan(app).output
    work()
    assert len(mail_server.messages) == 1
    assert outbox_row(app, outbox_id)["status"] == "sent"


def test_without_a_mail_server_notices_are_stored_not_sent(app, login, work):
    assert not app.config["MAIL_SERVER"]
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")))
    work()
    notice = outbox_row(app, outbox_id)
    assert (notice["status"], notice["attempts"], notice["sent_on"]) == ("stored", 1, None)
    assert notice["body"].startswith("网维中心")


def test_a_notice_carries_the_files_named_with_it_built_when_it_is_sent(app, login, mail_server, work, monkeypatch):
    built = []

    def minutes(argument):
        built.append(argument)
        return f"纪要-{argument}.pdf", "application/pdf", f"%PDF-1.7 会议纪要 {argument}".encode()

    monkeypatch.setitem(notices.ATTACHMENT_BUILDERS, "minutes", minutes)
    complaint_id = new_complaint(app, login("agent1"))
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        outbox_id = notices.notify(
            "dispatch",
            ["net@dg.example.com"],
            {"complaint": notices.complaint_context(complaint), "department": "网络部", "note": "", "by": "陈晓敏"},
            "dispatch:attachment",
            complaint=complaint,
            attachments=[("minutes", 7)],
        )
        db.session.commit()
    assert built == []
    work()
    [message] = mail_server.messages
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "纪要-7.pdf"
    assert attached.get_content() == "%PDF-1.7 会议纪要 7".encode()
    assert built == ["7"]
    assert outbox_row(app, outbox_id)["status"] == "sent"


def test_an_unknown_attachment_is_refused_before_anything_is_saved(app):
    with app.app_context():
        with pytest.raises(ValueError, match="No attachment builder 'nothing'"):
            notices.notify("dispatch", ["net@dg.example.com"], {}, "dispatch:none", attachments=[("nothing", 1)])
        db.session.rollback()
        assert db.session.query(notices.Outbox).filter_by(key="dispatch:none").count() == 0


def alerts(app, addresses, key="batch"):
    """One notice to each address, written in one transaction; their ids in order."""
    with app.app_context():
        ids = [
            notices.notify("alert", [address], {"rule": f"规则{number}"}, f"alert:{key}:{number}")
            for number, address in enumerate(addresses)
        ]
        db.session.commit()
    return ids


def sent_to(mail_server) -> list[str]:
    return sorted(message["To"] for message in mail_server.messages)


def test_one_job_sends_the_notices_that_are_due_and_takes_their_jobs_off_the_queue(app, mail_server, work):
    first, *others = alerts(app, [f"room{number}@dg.example.com" for number in range(4)])
    assert queued_jobs(app) == [notices.job_id(outbox_id, 0) for outbox_id in (first, *others)]
    assert jobs.deliver(first) == "sent"
    assert sent_to(mail_server) == [f"room{number}@dg.example.com" for number in range(4)]
    # The others' jobs would only find their notices taken: they are gone.
    assert queued_jobs(app) == [notices.job_id(first, 0)]
    with app.app_context():
        assert [Job.exists(notices.job_id(other, 0), connection=queue.connection()) for other in others] == [False] * 3
    work()
    assert len(mail_server.messages) == 4
    for outbox_id in (first, *others):
        notice = outbox_row(app, outbox_id)
        assert (notice["status"], notice["attempts"]) == ("sent", 1)
    assert len({message["Message-ID"] for message in mail_server.messages}) == 4


def test_a_batch_takes_at_most_its_size_and_the_rest_goes_with_the_next_job(app, mail_server, work, monkeypatch):
    monkeypatch.setattr(notices, "BATCH", 3)
    ids = alerts(app, [f"room{number}@dg.example.com" for number in range(7)])
    assert jobs.deliver(ids[0]) == "sent"
    assert len(mail_server.messages) == 3  # the boundary: BATCH notices in one job
    assert [outbox_row(app, outbox_id)["status"] for outbox_id in ids] == ["sent"] * 3 + ["queued"] * 4
    work()
    assert len(mail_server.messages) == 7
    assert {outbox_row(app, outbox_id)["attempts"] for outbox_id in ids} == {1}


def test_a_recipient_refused_in_a_batch_is_retried_and_the_others_are_sent_once(app, mail_server, work):
    addresses = ["hall@dg.example.com", "nobody@dg.example.com", "net@dg.example.com"]
    hall, refused, net = alerts(app, addresses)
    mail_server.refused.add("nobody@dg.example.com")
    work()
    assert sent_to(mail_server) == ["hall@dg.example.com", "net@dg.example.com"]
    for outbox_id in (hall, net):
        notice = outbox_row(app, outbox_id)
        assert (notice["status"], notice["attempts"], notice["last_error"]) == ("sent", 1, None)
    waiting = outbox_row(app, refused)
    assert (waiting["status"], waiting["attempts"], waiting["sent_on"]) == ("queued", 1, None)
    assert "SMTPRecipientsRefused" in waiting["last_error"]
    assert "Mailbox unavailable" in waiting["last_error"]
    wait = waiting["next_attempt_at"] - waiting["attempted_at"]
    assert timedelta(minutes=1) <= wait < timedelta(minutes=1, seconds=5)

    mail_server.refused.clear()  # the mailbox was created
    later = clock.to_local(waiting["next_attempt_at"] + timedelta(seconds=1)).isoformat()
    assert "queued notices enqueued: 1" in scan(app, "--now", later).output
    work()
    assert sent_to(mail_server) == sorted(addresses)
    retried = outbox_row(app, refused)
    assert (retried["status"], retried["attempts"]) == ("sent", 2)
    # The same Message-ID as the refused attempt would have had.
    assert mail_server.messages[-1]["Message-ID"].startswith(f"<notice-{refused}-")


def test_a_failed_attachment_fails_its_notice_only(app, login, mail_server, work, monkeypatch):
    def broken(argument):
        raise FileNotFoundError(f"minutes {argument} are not written yet")

    monkeypatch.setitem(notices.ATTACHMENT_BUILDERS, "minutes", broken)
    with app.app_context():
        files = [("minutes", 3)]
        with_file = notices.notify("alert", ["a@dg.example.com"], {"rule": "A"}, "alert:file", attachments=files)
        plain = notices.notify("alert", ["b@dg.example.com"], {"rule": "B"}, "alert:plain")
        db.session.commit()
    work()
    assert sent_to(mail_server) == ["b@dg.example.com"]
    assert outbox_row(app, plain)["status"] == "sent"
    waiting = outbox_row(app, with_file)
    assert (waiting["status"], waiting["attempts"]) == ("queued", 1)
    assert waiting["last_error"] == "FileNotFoundError: minutes 3 are not written yet"


def test_two_workers_draining_at_once_send_each_notice_once(app, mail_server, monkeypatch):
    """On PostgreSQL the two claims really overlap (rows being claimed are skipped)."""
    monkeypatch.setattr(notices, "BATCH", 4)
    ids = alerts(app, [f"room{number}@dg.example.com" for number in range(30)], key="race")
    start = threading.Barrier(2)
    results, errors = {}, []

    def worker(name, order):
        try:
            with app.app_context():
                start.wait(5)
                results[name] = [jobs.deliver(outbox_id) for outbox_id in order]
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [
        threading.Thread(target=worker, args=("up", ids)),
        threading.Thread(target=worker, args=("down", ids[::-1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(mail_server.messages) == 30
    assert sent_to(mail_server) == sorted(f"room{number}@dg.example.com" for number in range(30))
    with app.app_context():
        rows = db.session.query(Outbox.status, Outbox.attempts).filter(Outbox.id.in_(ids)).all()
    assert sorted(set(rows)) == [("sent", 1)]
    assert len({message["Message-ID"] for message in mail_server.messages}) == 30
    # Each call reports its own notice: sent by it, or None when the other worker's batch had it.
    outcomes = results["up"] + results["down"]
    assert set(outcomes) <= {"sent", None}
    assert 0 < outcomes.count("sent") <= 30


def test_a_job_stopped_by_its_timeout_keeps_what_was_sent_and_queues_the_rest_again(
    app, mail_server, work, monkeypatch
):
    calls = []

    def slow(argument):
        calls.append(argument)
        if len(calls) == 1:
            raise JobTimeoutException("Task exceeded maximum timeout value (60 seconds)")
        return "纪要.pdf", "application/pdf", b"%PDF-1.7"

    monkeypatch.setitem(notices.ATTACHMENT_BUILDERS, "minutes", slow)
    with app.app_context():
        first = notices.notify("alert", ["a@dg.example.com"], {"rule": "A"}, "alert:first")
        files = [("minutes", 1)]
        stuck = notices.notify("alert", ["b@dg.example.com"], {"rule": "B"}, "alert:stuck", attachments=files)
        last = notices.notify("alert", ["c@dg.example.com"], {"rule": "C"}, "alert:last")
        db.session.commit()
    with pytest.raises(JobTimeoutException):
        jobs.deliver(first)
    assert sent_to(mail_server) == ["a@dg.example.com"]
    assert outbox_row(app, first)["status"] == "sent"
    for outbox_id in (stuck, last):
        notice = outbox_row(app, outbox_id)
        assert (notice["status"], notice["attempts"]) == ("queued", 0)  # not tried: not an attempt
    # Back on the queue at once, not after the scan's 15 minutes.
    assert sorted(queued_jobs(app)) == sorted(notices.job_id(outbox_id, 0) for outbox_id in (first, stuck, last))
    work()
    assert sent_to(mail_server) == ["a@dg.example.com", "b@dg.example.com", "c@dg.example.com"]
    assert {outbox_row(app, outbox_id)["attempts"] for outbox_id in (stuck, last)} == {1}


def test_a_batch_writes_what_it_sent_every_few_notices_so_a_killed_worker_resends_few(app, mail_server, monkeypatch):
    from sqlalchemy import create_engine, text

    monkeypatch.setattr(notices, "RECORD_EVERY", 3)
    ids = alerts(app, [f"room{number}@dg.example.com" for number in range(7)])
    # What another process (the scan, a second worker) sees as sent when each message goes out.
    observer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    seen = []
    send = notices._send

    def observed_send(message, recipients):
        with observer.connect() as connection:
            query = text("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND id >= :first")
            seen.append(connection.scalar(query, {"first": ids[0]}))
        return send(message, recipients)

    monkeypatch.setattr(notices, "_send", observed_send)
    assert jobs.deliver(ids[0]) == "sent"
    observer.dispose()
    assert seen == [0, 0, 0, 3, 3, 3, 6]
    assert [outbox_row(app, outbox_id)["status"] for outbox_id in ids] == ["sent"] * 7
