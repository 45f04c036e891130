"""The outbox and email template pages: read, resend what failed, edit a template."""

import pytest

from app import notices
from app.extensions import db
from app.models import EmailTemplate, Outbox
from tests.helpers import change_with_notice, new_complaint, outbox_row


def failed_notice(app, login, key="dispatch:failed"):
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")), key=key)
    mail_server = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = None
    try:
        with app.app_context():
            notices.deliver(outbox_id)  # a worker's attempt writes it (kept, not sent) ...
    finally:
        app.config["MAIL_SERVER"] = mail_server
    with app.app_context():
        notice = db.session.get(Outbox, outbox_id)  # ... and it failed
        notice.status, notice.attempts, notice.last_error = "failed", 7, "ConnectionRefusedError: [Errno 111]"
        db.session.commit()
    return outbox_id


def page(client, url, **kwargs):
    return client.web.get(url, query_string={"_l_": "en"}, **kwargs)


def test_leadership_reads_the_outbox_and_a_notice(app, login):
    outbox_id = failed_notice(app, login)
    leader = login("leader1")
    listing = page(leader, "/outbox/list/").get_data(as_text=True)
    assert "【投诉派单】DG" in listing
    assert "net@dg.example.com" in listing
    assert "Failed" in listing
    detail = page(leader, f"/outbox/show/{outbox_id}").get_data(as_text=True)
    assert "现将以下投诉派至贵部门处理" in detail
    assert "ConnectionRefusedError" in detail
    assert "dispatch:failed" in detail


def test_a_notice_not_yet_written_by_the_worker_says_so(app, login):
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")), key="dispatch:waiting")
    leader = login("leader1")
    listing = page(leader, "/outbox/list/").get_data(as_text=True)
    assert "(written when sent)" in listing and "dispatch:waiting" not in listing
    detail = page(leader, f"/outbox/show/{outbox_id}").get_data(as_text=True)
    assert detail.count("(written when sent)") == 2  # subject and body
    assert "发送时生成" in leader.web.get(f"/outbox/show/{outbox_id}").get_data(as_text=True)


def test_the_pages_are_chinese_by_default(app, login):
    outbox_id = failed_notice(app, login)
    detail = login("leader1").web.get(f"/outbox/show/{outbox_id}").get_data(as_text=True)
    assert "发送失败" in detail
    assert "派单" in detail and "(dispatch)" not in detail  # the kind by its name alone


@pytest.mark.parametrize("single", [True, False], ids=["from the notice", "from the list"])
def test_admin_sends_a_failed_notice_again(app, login, mail_server, work, single):
    outbox_id = failed_notice(app, login)
    admin = login("admin")
    english = {"query_string": {"_l_": "en"}, "follow_redirects": True}
    if single:
        response = admin.web.post(f"/outbox/action/resend/{outbox_id}", **english)
    else:
        response = admin.web.post("/outbox/action_post", data={"action": "resend", "rowid": [outbox_id]}, **english)
    assert "1 notice(s) queued to be sent again." in response.get_data(as_text=True)
    assert outbox_row(app, outbox_id)["status"] == "queued"
    work()
    assert len(mail_server.messages) == 1
    notice = outbox_row(app, outbox_id)
    assert (notice["status"], notice["attempts"]) == ("sent", 8)


def test_a_notice_that_went_out_is_not_sent_again(app, login, mail_server, work):
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")))
    work()
    response = login("admin").web.post(
        "/outbox/action_post", data={"action": "resend", "rowid": [str(outbox_id)]}, query_string={"_l_": "en"}
    )
    assert response.status_code == 302
    work()
    assert len(mail_server.messages) == 1
    assert outbox_row(app, outbox_id)["attempts"] == 1


def test_leadership_reads_but_does_not_resend(app, login):
    outbox_id = failed_notice(app, login)
    response = login("leader1").web.post("/outbox/action_post", data={"action": "resend", "rowid": [str(outbox_id)]})
    assert response.status_code == 302
    assert outbox_row(app, outbox_id)["status"] == "failed"
    detail = page(login("leader1"), f"/outbox/show/{outbox_id}").get_data(as_text=True)
    assert "Send again" not in detail
    assert "Send again" in page(login("admin"), f"/outbox/show/{outbox_id}").get_data(as_text=True)


def test_admin_edits_a_template_and_the_next_notice_uses_it(app, login, urge_template):
    admin = login("admin")
    form = page(admin, f"/email-templates/edit/{urge_template}").get_data(as_text=True)
    assert "【投诉催办】" in form
    response = admin.web.post(
        f"/email-templates/edit/{urge_template}",
        data={"subject": "催办：{{ complaint.number }}", "body": "请于今日答复。"},
    )
    assert response.status_code == 302
    from app import notices

    with app.app_context():
        assert notices.render("urge", {"complaint": {"number": "DG1"}}) == ("催办：DG1", "请于今日答复。\n")


def test_a_template_with_an_error_keeps_the_form_and_saves_nothing(app, login, urge_template):
    response = login("admin").web.post(
        f"/email-templates/edit/{urge_template}",
        data={"subject": "催办 {{ complaint.number", "body": "请于今日答复。"},
        query_string={"_l_": "en"},
    )
    assert response.status_code == 200
    page_text = response.get_data(as_text=True)
    assert "Template error on line 1" in page_text
    assert "请于今日答复。" in page_text
    with app.app_context():
        assert db.session.get(EmailTemplate, urge_template).subject.startswith("【投诉催办】")


@pytest.mark.parametrize(("username", "sees_outbox"), [("agent1", False), ("leader1", True), ("admin", True)])
def test_the_outbox_is_in_the_menu_of_those_who_read_it(app, login, username, sees_outbox):
    menu = page(login(username), "/users/userinfo/").get_data(as_text=True)
    assert ("/outbox/list/" in menu) is sees_outbox
    assert ("/email-templates/list/" in menu) is (username == "admin")
