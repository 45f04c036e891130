"""Workers send the outbox (§7): real Redis, real SMTP, each notice delivered exactly once."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from app import clock, notices
from app.extensions import db
from app.models import Complaint
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
