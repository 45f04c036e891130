"""The whole story in one flow (§2.5, §3.5): an agent files a complaint and is offered the
topic already in use, asks for a 300-yuan refund, the room manager approves it from the
approvals inbox, the agent sees it approved; the third same-content complaint of the shift
alerts the team leader."""

from playwright.sync_api import Page, expect

from app import clock
from tests.e2e.pages import exactly, fill_form, open_menu
from tests.e2e.test_browser_complaints import NUMBER, complaint_form

TOPIC = "小区4G信号时断时续"
TYPED = "小区4G信号老是断断续续"  # how the second caller puts it: alike, not the same


def file_complaint(page: Page, values: dict[str, str]) -> str:
    """Record a complaint by form from the complaint list; its number, new in that list."""
    before = open_add_form(page, values["topic"])
    fill_form(page, values)
    return save_and_read_number(page, values["topic"], before)


def open_add_form(page: Page, topic: str) -> set[str]:
    """From the complaint list to its add form; the numbers the list showed with ``topic``."""
    page.goto("/complaints/list/")
    before = numbers_of(page, topic)
    page.locator("a[href*='/complaints/add']").first.click()
    expect(page.locator(".panel-title")).to_have_text("受理投诉")
    return before


def numbers_of(page: Page, topic: str) -> set[str]:
    """The numbers of the list's complaints with this topic."""
    rows = page.locator("table tr", has=page.locator("td", has_text=exactly(topic)))
    return {text.strip() for text in rows.locator("td").filter(has_text=NUMBER).all_inner_texts()}


def save_and_read_number(page: Page, topic: str, before: set[str]) -> str:
    """Save; the new complaint opens on its page, its number there and new in the list."""
    page.locator("#model_form [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#complaint-number")).to_have_text(NUMBER)
    number = page.locator("#complaint-number").inner_text().strip()
    page.goto("/complaints/list/")
    assert numbers_of(page, topic) - before == {number}
    return number


def test_refund_approved_through_the_inbox_and_the_shifts_third_complaint_alerts_the_team_leader(page_as, screenshot):
    # Every complaint of the story in one minute of one shift (the 3-per-shift rule, §3.5).
    received = clock.to_local(clock.now()).strftime("%Y-%m-%dT%H:%M")
    hotline = {"channel": "10086热线", "received_at": received}

    agent = page_as("agent1")
    first = file_complaint(agent, complaint_form(TOPIC, **hotline))

    # The second caller's words: the form offers the topic in use and the similar complaint.
    open_add_form(agent, TOPIC)
    fill_form(agent, complaint_form(TYPED, **hotline))
    expect(agent.locator("#topic-suggestions option")).to_have_attribute("value", TOPIC)
    expect(agent.locator("#similar-complaints")).to_contain_text("近期相似投诉")
    expect(agent.locator("#similar-complaints a")).to_have_text(f"{first} {TOPIC}")
    screenshot(agent, "complaint-form-suggestion")
    agent.fill("#topic", TOPIC)  # the agent takes the suggested topic: the same content
    second = save_and_read_number(agent, TOPIC, {first})

    # A 300-yuan refund on it: beyond a frontline agent, so it waits for a room manager (§2.5).
    agent.locator("table tr", has_text=second).locator("a.complaint-number").click()
    agent.get_by_role("link", name="申请退费").click()
    expect(agent.locator("#complaint_number")).to_have_value(second)
    fill_form(agent, {"amount": "300", "refund_type": "计费差错", "liability": "公司有责任"})
    agent.fill("#note", "计费系统重复扣费,退还多收费用。")
    agent.locator("#model_form [type=submit]").click()
    expect(agent.locator(".alert-success")).to_be_visible()
    open_menu(agent, "投诉处理", "退费申请")
    request = agent.locator("table tr", has_text=second)
    expect(request).to_contain_text("¥300.00")
    expect(request).to_contain_text("待审批")
    expect(request).to_contain_text("室经理")

    # The room manager finds it in the approvals inbox and approves it, after confirming.
    manager = page_as("room1")
    open_menu(manager, "投诉处理", "待我审批")
    waiting = manager.locator("table tr", has_text=second)
    expect(waiting).to_contain_text("¥300.00")
    screenshot(manager, "refund-inbox")
    waiting.get_by_role("link", name="审批").click()
    expect(manager.locator(".panel-title")).to_have_text("审批退费申请")
    screenshot(manager, "refund-decide")
    manager.fill("#note", "核实属实,同意退还。")
    questions = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    manager.once("dialog", lambda dialog: answer(dialog, accept=False))
    manager.get_by_role("button", name="批准").click()
    assert questions == ["确定批准此退费?审批后不能更改。"]
    expect(manager.locator(".panel-title")).to_have_text("审批退费申请")  # nothing sent
    manager.once("dialog", lambda dialog: answer(dialog, accept=True))
    manager.get_by_role("button", name="批准").click()
    expect(manager.locator(".alert-success")).to_contain_text("已批准")
    expect(manager.locator("table tr", has_text=second)).to_have_count(0)

    # The agent sees the decision: in the refund list and on the complaint's timeline.
    open_menu(agent, "投诉处理", "退费申请")
    decided = agent.locator("table tr", has_text=second)
    expect(decided).to_contain_text("已批准")
    decided.locator("a[href*='/refunds/show/']").click()
    expect(agent.locator("tr", has=agent.locator("th", has_text=exactly("审批人")))).to_contain_text("王芳")
    agent.goto("/complaints/mine/list/")
    agent.locator("table tr", has_text=second).locator("a.complaint-number").click()
    expect(agent.locator("#timeline")).to_contain_text("退费 ¥300.00:已批准")
    screenshot(agent, "complaint-refund-approved")

    # The third complaint of the same content in the shift alerts the team leader (班长).
    third = file_complaint(agent, complaint_form(TOPIC, **hotline))
    leader = page_as("teamlead1")
    open_menu(leader, "投诉处理", "预警")
    alert = leader.locator("table tr", has_text=third)
    expect(alert).to_contain_text("同一班次第3宗同内容投诉")
    screenshot(leader, "alerts-team-leader")
