"""Notices in the outbox (§7): written with their change, rendered in Chinese, once per key."""

import re
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from app import clock, notices, recipients
from app.extensions import db
from app.models import Complaint, EmailTemplate, Outbox
from app.notices import notify
from app.policy import ValidationFailed
from app.policy.vocabulary import STATUSES, label
from tests.helpers import change_with_notice, new_complaint, outbox_row, queued_jobs


def outbox_count(app) -> int:
    with app.app_context():
        return db.session.query(Outbox).count()


def test_a_change_writes_its_notice_queued_with_its_values_and_the_worker_renders_it(app, login, work):
    complaint_id = new_complaint(app, login("agent1"))
    outbox_id = change_with_notice(app, complaint_id, key="dispatch:1")
    notice = outbox_row(app, outbox_id)
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        number, received_at = complaint.number, complaint.received_at
    assert notice["status"] == "queued"
    assert notice["attempts"] == 0
    assert notice["recipients"] == ["net@dg.example.com"]
    assert notice["complaint_id"] == complaint_id
    assert queued_jobs(app) == [f"outbox-{outbox_id}-0"]
    # The values the template reads, as JSON; no text yet: the change did not render it.
    assert (notice["subject"], notice["body"]) == (None, None)
    assert notice["context"]["complaint"]["number"] == number
    assert notice["context"]["department"] == "网维中心"
    assert notice["context"]["complaint"]["received_at"] == {"$datetime": received_at.isoformat()}
    work()
    notice = outbox_row(app, outbox_id)
    assert (notice["status"], notice["last_error"]) == ("stored", None)  # no MAIL_SERVER: kept
    assert notice["subject"] == f"【投诉派单】{number} 家中信号差"
    assert notice["body"].startswith("网维中心：\n\n现将以下投诉派至贵部门处理")
    assert f"投诉工单：{number}\n" in notice["body"]
    assert "派单说明：请核查\n" in notice["body"]
    assert "{#" not in notice["body"]  # the list of values is for Admin, not for the reader
    assert f"受理时间：{clock.format_local(received_at, '%Y-%m-%d %H:%M')}\n" in notice["body"]


def test_a_rolled_back_change_leaves_no_notice_and_sends_nothing(app, login):
    complaint_id = new_complaint(app, login("agent1"))
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        complaint.topic = "改了又撤销"
        notify("urge", ["net@dg.example.com"], {"complaint": notices.complaint_context(complaint)}, "urge:1")
        db.session.rollback()
        db.session.commit()  # a later commit of the same session sends nothing either
    assert outbox_count(app) == 0
    assert queued_jobs(app) == []


def test_a_key_gives_one_notice_however_often_it_is_asked_for(app, login):
    complaint_id = new_complaint(app, login("agent1"))
    first = change_with_notice(app, complaint_id, key="dispatch:once")
    again = change_with_notice(app, complaint_id, key="dispatch:once", department="IT")
    assert first is not None
    assert again is None
    assert outbox_count(app) == 1
    assert outbox_row(app, first)["recipients"] == ["net@dg.example.com"]
    assert queued_jobs(app) == [f"outbox-{first}-0"]


def test_two_transactions_racing_for_one_key_make_one_notice(app):
    """The database's unique key decides, not a look before the insert."""
    second_done = threading.Event()
    results = {}

    def second():
        with app.app_context():
            results["second"] = notify("alert", ["csc-zy@dg.example.com"], {"rule": "B"}, "alert:race")
            db.session.commit()
        second_done.set()

    with app.app_context():
        results["first"] = notify("alert", ["csc-zy@dg.example.com"], {"rule": "A"}, "alert:race")
        racer = threading.Thread(target=second)
        racer.start()
        # The second insert waits on the first transaction's row (or its lock) …
        assert not second_done.wait(0.3)
        db.session.commit()
    racer.join(10)
    # … and finds the key taken once the first commits.
    assert results["first"] is not None
    assert results["second"] is None
    assert outbox_row(app, results["first"])["context"]["rule"] == "A"
    assert outbox_count(app) == 1


def test_a_notice_without_any_address_is_kept_as_failed(app):
    with app.app_context():
        outbox_id = notify("alert", recipients.departments([]), {"rule": "无人接收"}, "alert:nobody")
        db.session.commit()
    notice = outbox_row(app, outbox_id)
    assert notice["status"] == "failed"
    assert "No recipient address" in notice["last_error"]
    assert queued_jobs(app) == []


def test_templates_get_plain_values_never_model_objects(app, login):
    complaint_id = new_complaint(app, login("agent1"))
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        with pytest.raises(TypeError, match="complaint is a Complaint"):
            notify("urge", ["a@dg.example.com"], {"complaint": complaint}, "urge:object")
        db.session.rollback()


def test_every_code_of_the_api_has_a_chinese_template(app):
    with app.app_context():
        templates = {row.code: row for row in db.session.query(EmailTemplate)}
    assert set(templates) == {
        "alert",
        "dispatch",
        "urge",
        "escalation",
        "progress_report",
        "final_result",
        "meeting_notice",
        "meeting_minutes",
        "monthly_bulletin",
        "refund_pending",
        "refund_decided",
        "criticism",
        "commendation",
    }
    assert all(row.subject.startswith("【") for row in templates.values())


def test_every_shipped_template_renders_with_nothing_given(app):
    with app.app_context():
        for code in notices.NOTICE_TEMPLATES:
            subject, body = notices.render(code, {})
            assert subject.startswith("【") and "\n" not in subject
            assert body.strip()


def test_amounts_and_times_read_as_people_write_them(app):
    with app.app_context():
        subject, body = notices.render(
            "refund_pending",
            {"complaint": {"number": "DG202611280001"}, "refund": {"amount": Decimal("1280.5"), "type": "梦网/SP费用"}},
        )
        _subject, alert = notices.render(
            "alert",
            {"rule": "r", "complaint": {"number": "DG1", "received_at": datetime(2026, 11, 28, 1, 30, tzinfo=UTC)}},
        )
    assert subject == "【退费待审批】DG202611280001 ¥1,280.50"
    assert "退费金额：¥1,280.50\n" in body
    assert "受理时间：2026-11-28 09:30\n" in alert


def test_amounts_times_and_days_reach_the_worker_as_they_were_given(app, work):
    """The stored values are JSON: times, days and amounts keep their type for the filters."""
    with app.app_context():
        pending = notify(
            "refund_pending",
            ["room1@dg.example.com"],
            {"complaint": {"number": "DG1"}, "refund": {"amount": Decimal("1280.5"), "type": "梦网/SP费用"}},
            "refund_pending:json",
        )
        alert = notify(
            "alert",
            ["room1@dg.example.com"],
            {"rule": "r", "complaint": {"number": "DG1", "received_at": datetime(2026, 11, 28, 1, 30, tzinfo=UTC)}},
            "alert:json",
        )
        db.session.commit()
    work()
    assert outbox_row(app, pending)["subject"] == "【退费待审批】DG1 ¥1,280.50"
    assert "受理时间：2026-11-28 09:30\n" in outbox_row(app, alert)["body"]


def test_a_text_stored_before_the_limits_is_quoted_up_to_them_in_a_mail(app, work):
    """A 210,000-character text (stored before the caps existed) does not make a 210,000-character mail."""
    from app.policy.texts import QUOTE_MAX_LENGTH

    with app.app_context():
        outbox_id = notify("final_result", ["net@dg.example.com"], {"result": "信号" * 105_000}, "final_result:long")
        db.session.commit()
    assert len(outbox_row(app, outbox_id)["context"]["result"]) == QUOTE_MAX_LENGTH
    work()
    body = outbox_row(app, outbox_id)["body"]
    assert QUOTE_MAX_LENGTH - 100 < len(body) < QUOTE_MAX_LENGTH + 1000
    assert re.search(r"……（原文共 210,000 字，此处仅引前 19,9\d\d 字，全文见投诉处理管理系统。）", body)


@pytest.fixture
def edited_template(app):
    """Admin's edits to the ``alert`` template, undone after the test."""
    with app.app_context():
        template = db.session.query(EmailTemplate).filter_by(code="alert").one()
        saved = (template.subject, template.body)
    edits = []

    def edit(subject, body):
        with app.app_context():
            template = db.session.query(EmailTemplate).filter_by(code="alert").one()
            template.subject, template.body = subject, body
            db.session.commit()
        edits.append((subject, body))

    yield edit
    with app.app_context():
        template = db.session.query(EmailTemplate).filter_by(code="alert").one()
        template.subject, template.body = saved
        db.session.commit()


def test_admins_version_of_a_template_is_used(app, edited_template):
    edited_template("预警：{{ rule }}", "共 {{ count }} 件。")
    with app.app_context():
        assert notices.render("alert", {"rule": "同内容投诉", "count": 3}) == ("预警：同内容投诉", "共 3 件。\n")


@pytest.mark.parametrize(
    "body",
    [
        "{{ 1 // 0 }}",
        "{{ complaint.topic + 1 }}",
        "{{ complaint.send() }}",
    ],
)
def test_a_template_that_fails_falls_back_to_the_shipped_one(app, edited_template, body):
    edited_template("预警", body)
    with app.app_context():
        subject, rendered = notices.render("alert", {"rule": "同内容投诉", "complaint": {"topic": "信号差"}})
    assert subject == "【投诉预警】同内容投诉"
    assert "系统触发投诉预警：同内容投诉。" in rendered


def test_the_sandbox_shows_nothing_of_the_program(app, edited_template):
    edited_template("预警", "[{{ ''.__class__.__mro__ }}][{{ complaint.__class__ }}][{{ rule.upper.__globals__ }}]")
    with app.app_context():
        assert notices.render("alert", {"rule": "r", "complaint": {"topic": "t"}})[1] == "[][][]\n"


def test_a_template_with_a_syntax_error_is_not_saved(app):
    with app.app_context():
        template = db.session.query(EmailTemplate).filter_by(code="urge").one()
        template.body = "{% if note %}没有结束"
        with pytest.raises(ValidationFailed) as refused:
            db.session.commit()
        db.session.rollback()
        assert list(refused.value.errors) == ["body"]
        assert "模板第 1 行有错误" in str(refused.value.errors["body"])
        assert db.session.query(EmailTemplate).filter_by(code="urge").one().body.startswith("{#")


def test_seeding_templates_again_keeps_admins_edits(app, edited_template):
    edited_template("改过的主题", "改过的正文")
    with app.app_context():
        notices.seed_templates()
        db.session.commit()
        assert db.session.query(EmailTemplate).count() == len(notices.NOTICE_TEMPLATES)
        assert db.session.query(EmailTemplate).filter_by(code="alert").one().subject == "改过的主题"


def test_a_notice_is_written_in_chinese_whatever_language_the_user_reads(app, login):
    complaint_id = new_complaint(app, login("agent1"))
    with app.test_request_context(), force_locale("en"):
        complaint = db.session.get(Complaint, complaint_id)
        assert str(label(STATUSES, complaint.status)) == "Received"
        context = notices.complaint_context(complaint)
    assert context["channel"] == "10086热线"
    assert context["status"] == "已受理"
    assert context["receiving_department"] == "10086 A班组"
    assert context["receiver"] == "陈晓敏"


def test_a_notice_that_cannot_be_written_at_all_is_failed_for_admin_and_the_batch_goes_on(
    app, edited_template, work, monkeypatch
):
    edited_template("预警", "{{ 1 // 0 }}")
    monkeypatch.setattr(notices, "default_template", lambda code: ("预警", "{{ 1 // 0 }}"))
    with app.app_context():
        broken = notify("alert", ["room1@dg.example.com"], {"rule": "r"}, "alert:broken")
        fine = notify("urge", ["room1@dg.example.com"], {"note": "n"}, "urge:fine")
        db.session.commit()
    work()
    notice = outbox_row(app, broken)
    assert (notice["status"], notice["subject"], notice["next_attempt_at"]) == ("failed", None, None)
    assert "could not be written (ZeroDivisionError" in notice["last_error"]
    assert outbox_row(app, fine)["status"] == "stored"
