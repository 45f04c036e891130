"""The audit log: company leadership reads who recorded what."""

from playwright.sync_api import expect

from tests.e2e.pages import open_menu, page_token
from tests.helpers import complaint_body


def test_leadership_reads_the_audit_log_of_a_new_complaint(live_app, page_as, screenshot):
    agent = page_as("agent1")
    created = agent.request.post(
        "/api/v1/complaint/", data=complaint_body(live_app, topic="审计测试"), headers=page_token(agent)
    )
    assert created.status == 201, created.text()

    page = page_as("leader1")
    open_menu(page, "审计日志")
    expect(page.locator(".panel-title").first).to_have_text("审计日志")
    entry = page.locator("table tr", has_text="agent1").filter(has_text="complaint")
    expect(entry.first).to_be_visible()
    screenshot(page, "audit-log")
