"""Approvals as people click them (issue 24, item 7): the agent requests a refund by the form and
is told it waits; the centre manager weighs it from the approvals inbox, cannot reject it without a
reason, rejects it with one; the complaint's timeline lists the request before the decision."""

from playwright.sync_api import expect

from tests.e2e.pages import fill_form, open_menu
from tests.e2e.test_browser_csrf import api_token
from tests.helpers import complaint_body
from tests.test_api_refund import refund_type_id

PHONE = "13766660781"


def test_a_refund_requested_then_rejected_with_a_reason(live_app, page_as, screenshot):
    # What went before, through the API as agent1 (a bearer token: the browser's session needs its form's token).
    api = live_app.test_client()
    headers = api_token(live_app, "agent1")

    def complaint(topic, prepaid):
        body = complaint_body(live_app, topic=topic, customer_phone=PHONE, customer_prepaid=prepaid)
        created = api.post("/api/v1/complaint/", json=body, headers=headers)
        assert created.status_code == 201, created.get_json()
        return created.get_json()["id"]

    def refund(complaint_id, amount):
        body = {
            "complaint": complaint_id,
            "amount": amount,
            "refund_type": refund_type_id(live_app, "monternet"),
            "liability": "yes",
            "note": "梦网扣费,退还",
        }
        made = api.post("/api/v1/refund/", json=body, headers=headers)
        assert made.status_code == 201, made.get_json()
        assert made.get_json()["result"]["status"] == "approved"  # within the agent's authority

    # The customer's earlier refund on another complaint, and one on this complaint already.
    refund(complaint("梦网扣费 上月", prepaid=True), "20.00")
    disputed = complaint("梦网扣费 退费审批", prepaid=True)
    refund(disputed, "30.00")

    agent = page_as("agent1")
    # The agent asks for 78.10 yuan more from the complaint's page: 108.10 in all needs a room manager.
    agent.goto(f"/complaints/show/{disputed}")
    agent.locator("a", has_text="申请退费").click()
    typed = {"amount": "78.10", "refund_type": "梦网/SP费用", "liability": "公司有责任", "note": "梦网重复扣费"}
    fill_form(agent, typed)
    agent.locator("#model_form [type=submit]").first.click()
    expect(agent.locator(".alert-warning")).to_contain_text("退费¥78.10待审批:需由室经理决定。")

    room = page_as("center1")
    room.on("dialog", lambda dialog: dialog.accept())  # "a decision cannot be changed": yes
    open_menu(room, "投诉处理", "待我审批")
    row = room.locator("table tbody tr", has_text="78.10")
    row.locator("a", has_text="审批").click()
    expect(room.locator("#complaint-refunds")).to_contain_text("¥30.00")
    expect(room.locator("#complaint-refunds")).to_contain_text("¥78.10")
    expect(room.locator("h5", has_text="累计")).to_contain_text("累计(已批准及待审批):¥108.10")
    expect(room.locator("#customer-refunds")).to_contain_text("¥20.00")
    expect(room.locator("#level-why")).to_contain_text("¥108.10")
    expect(room.locator("#level-why")).to_contain_text("室经理")

    # A misclick on 驳回 with no reason keeps the page and says why; nothing is decided.
    decision_page = room.url
    room.locator("button[value=reject]").click()
    expect(room.get_by_text("请填写不同意(驳回)的理由。")).to_be_visible()
    expect(room.locator("button[value=reject]")).to_be_visible()
    assert room.url.split("?")[0] == decision_page.split("?")[0]
    screenshot(room, "refund-reject-needs-a-reason")

    room.locator("#note").fill("非公司原因,已向客户解释")
    room.locator("button[value=reject]").click()
    expect(room.locator(".alert", has_text="已驳回")).to_be_visible()

    agent.goto(f"/complaints/show/{disputed}")
    timeline = agent.locator("#timeline")
    expect(timeline).to_contain_text("退费 ¥78.10:已驳回")
    text = timeline.inner_text()
    assert text.index("申请退费 ¥78.10") < text.index("退费 ¥78.10:已驳回")
    assert "非公司原因,已向客户解释" in text
