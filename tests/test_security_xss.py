"""Text with HTML or a spreadsheet formula is kept as typed, and shown as text everywhere.

A complaint's topic, summary and a refund note carry markup; the API gives them back
unchanged, every page escapes them, and the notices they go into are plain-text emails.
"""

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Outbox
from tests.helpers import complaint_body
from tests.test_api_refund import request_refund

TOPIC = "<script>alert(1)</script>"
SUMMARY = '=HYPERLINK("http://x")'
NOTE = '"><img src=x onerror=alert(2)>'


@pytest.fixture
def hostile(app, login):
    """A complaint and a pending refund (80 yuan, postpaid: for a room manager) full of markup."""
    agent = login("agent1")
    created = agent.post(
        "/api/v1/complaint/", json=complaint_body(app, topic=TOPIC, summary=SUMMARY, customer_prepaid=False)
    )
    assert created.status_code == 201, created.get_json()
    complaint = created.get_json()["id"]
    refund = request_refund(app, agent, complaint, "80.00", "billing_error", note=NOTE)
    assert refund.status_code == 201, refund.get_json()
    return {"complaint": complaint, "refund": refund.get_json()["id"]}


def page(client, url) -> str:
    response = client.web.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def assert_shown_as_text(html: str, *texts: str) -> None:
    for text in texts:
        assert str(escape(text)) in html
        if "<" in text:
            assert text not in html


def test_the_api_gives_the_text_back_as_typed(app, login, hostile):
    agent = login("agent1")
    complaint = agent.get(f"/api/v1/complaint/{hostile['complaint']}").get_json()["result"]
    assert (complaint["topic"], complaint["summary"]) == (TOPIC, SUMMARY)
    assert agent.get(f"/api/v1/refund/{hostile['refund']}").get_json()["result"]["note"] == NOTE


def test_the_complaint_pages_escape_it(login, hostile):
    agent = login("agent1")
    assert_shown_as_text(page(agent, "/complaints/list/"), TOPIC)
    assert_shown_as_text(page(agent, f"/complaints/show/{hostile['complaint']}"), TOPIC, SUMMARY)
    assert_shown_as_text(page(agent, f"/complaints/edit/{hostile['complaint']}"), TOPIC, SUMMARY)


def test_the_refund_pages_and_the_approvals_inbox_escape_it(login, hostile):
    agent, room = login("agent1"), login("room1")
    assert_shown_as_text(page(agent, f"/refunds/show/{hostile['refund']}"), NOTE)
    assert f'/decide/{hostile["refund"]}"' in page(room, "/refund-inbox/list/")
    assert_shown_as_text(page(room, f"/refund-inbox/decide/{hostile['refund']}"), TOPIC, SUMMARY, NOTE)


def test_the_audit_log_escapes_it(app, login, hostile):
    with app.app_context():
        entry = db.session.scalar(
            select(AuditLog.id).where(AuditLog.table_name == "complaint", AuditLog.row_id == hostile["complaint"])
        )
    leader = login("leader1")
    html = page(leader, f"/audit/show/{entry}")
    assert "alert(1)" in html
    assert TOPIC not in html
    assert TOPIC not in page(leader, "/audit/list/")


def test_notices_are_plain_text_emails_and_the_outbox_escapes_them(app, login, hostile, mail_server, work):
    work()
    with app.app_context():
        notice = db.session.scalar(select(Outbox).where(Outbox.template == "refund_pending"))
        assert TOPIC in notice.body and NOTE in notice.body  # as typed: plain text
        notice_id = notice.id
    assert_shown_as_text(page(login("leader1"), f"/outbox/show/{notice_id}"), TOPIC, NOTE)
    [message] = [message for message in mail_server.messages if "退费待审批" in message["Subject"]]
    assert [part.get_content_type() for part in message.walk()] == ["text/plain"]
    assert TOPIC in message.get_content()
