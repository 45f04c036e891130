"""Same content as people meet it (issue 24, item 6): the agent types a topic like one of a
running incident, joins the incident with one click from the form, and the saved complaint
links to it; the incident list says nothing raw ("None") for a department not yet reported to."""

from playwright.sync_api import expect

from tests.e2e.pages import fill_form, open_menu
from tests.e2e.test_browser_csrf import api_token
from tests.helpers import category_id, complaint_body

TOPIC = "长安镇 4G 信号中断"


def test_the_agent_joins_a_listed_incident_with_one_click(live_app, page_as, screenshot):
    # Three hotline complaints of one content in agent2's shift: the incident (§3.5 rule 1).
    api = live_app.test_client()
    headers = api_token(live_app, "agent2")
    incident = None
    for _ in range(3):
        body = complaint_body(live_app, topic=TOPIC, category=category_id(live_app, "network_coverage"))
        created = api.post("/api/v1/complaint/", json=body, headers=headers)
        assert created.status_code == 201, created.get_json()
        incident = created.get_json()["result"].get("incident") or incident
    assert incident, "the third complaint opens an incident"

    page = page_as("agent1")
    open_menu(page, "投诉处理", "投诉工单")
    page.locator("a[href*='/complaints/add']").first.click()
    fill_form(page, {"customer_phone": "13500001111", "channel": "10086热线", "category": "网络覆盖"})
    page.locator("#topic").press_sequentially("长安镇4G信号断了")  # like it, not the same
    join = page.locator("#similar-complaints .join-incident", has_text=f"并入事件 #{incident}")
    expect(join.first).to_be_visible()
    join.first.click()
    expect(page.locator("#topic")).to_have_value(TOPIC)
    expect(page.locator("#joined-incident")).to_contain_text(f"#{incident}")
    fill_form(page, {"summary": "客户反映长安镇4G信号中断,无法上网。"})
    screenshot(page, "complaint-form-join-incident")
    page.locator("#model_form [type=submit]").click()

    expect(page.locator("#complaint-number")).to_be_visible()
    link = page.locator("#incident-of a.incident-link")
    expect(link).to_have_text(f"事件 #{incident}")
    expect(page.locator("#incident-of")).to_contain_text(TOPIC)
    link.click()
    expect(page.locator("body")).to_contain_text(TOPIC)

    open_menu(page, "投诉处理", "事件")
    row = page.locator("table tbody tr", has_text=TOPIC)
    expect(row.first).to_be_visible()
    volume = page.locator("table.table-bordered th").all_inner_texts().index("投诉量")
    expect(row.first.locator("td").nth(volume)).to_have_text("4")  # three complaints and the one joined
    # No department reported to yet: the cell is blank, not "None".
    expect(page.locator("table.table-bordered")).not_to_contain_text("None")
