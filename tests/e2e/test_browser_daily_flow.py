"""Daily flow as people click it: a dispatch accepted, then answered, and the agent told; the
search box finding a customer by the last four digits of the number."""

from playwright.sync_api import expect

from tests.e2e.pages import open_menu, page_token
from tests.helpers import complaint_body, department_id


def test_the_department_accepts_then_replies_and_the_agent_is_told(live_app, page_as, screenshot):
    agent = page_as("agent1")
    created = agent.request.post(
        "/api/v1/complaint/", data=complaint_body(live_app, topic="东城基站信号时断时续"), headers=page_token(agent)
    )
    assert created.status == 201, created.text()
    complaint = created.json()["id"]
    sent = agent.request.post(
        f"/api/v1/complaint/{complaint}/dispatch",
        data={"department": department_id(live_app, "NET"), "note": "请核查"},
        headers=page_token(agent),
    )
    assert sent.status == 200, sent.text()

    net = page_as("netroom1")
    open_menu(net, "投诉处理", "派给本部门的投诉")
    first_row = net.locator("table tbody tr").first
    expect(first_row).to_contain_text("东城基站信号时断时续")  # the newest dispatch on top
    expect(net.locator("a[href*='/complaints/dispatched/add']")).to_have_count(0)
    first_row.locator("a[href*='/show/']").click()
    expect(net.locator("#edit-complaint")).to_have_count(0)
    expect(net.locator("#action-reply")).to_have_count(0)
    net.locator("#action-accept").click()
    expect(net.locator("#timeline")).to_contain_text("受理 · 网维中心")
    net.locator("form:has(#action-reply) input[name=text]").fill("基站板卡故障,已更换,建议赠送流量")
    net.locator("#action-reply").click()
    expect(net.locator("#timeline")).to_contain_text("答复 · 网维中心")
    screenshot(net, "dispatch-accepted-and-replied")

    agent.goto("/")
    told = agent.locator("#my-alerts tr", has_text="派单已答复")
    expect(told.first).to_be_visible()
    told.first.locator("a").first.click()
    expect(agent.locator("#timeline")).to_contain_text("基站板卡故障")


def test_the_agent_finds_the_customer_by_the_last_four_digits(live_app, page_as):
    agent = page_as("agent1")
    body = complaint_body(live_app, topic="末四位查找测试", customer_phone="13722224321")
    created = agent.request.post("/api/v1/complaint/", data=body, headers=page_token(agent))
    assert created.status == 201, created.text()
    agent.goto("/complaints/search/")
    agent.locator("#search-q").fill("4321")
    agent.locator("#search-q").press("Enter")
    expect(agent.locator("#search-results")).to_contain_text("末四位查找测试")
    agent.locator("#search-q").fill("测试 末四位")  # several words, one of two characters
    agent.locator("#search-q").press("Enter")
    expect(agent.locator("#search-results")).to_contain_text("末四位查找测试")
