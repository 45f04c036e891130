"""Recording a complaint by form, reading it back, and the form's errors."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import clock
from app.extensions import db
from app.models import Complaint
from tests.e2e.pages import expect_form_values, field_error, fill_form, open_menu, shown

NUMBER = re.compile(r"^DG\d{12}$")


def complaint_form(topic: str, **changes) -> dict[str, str]:
    """What an agent types and picks, by field id; selects by their labels."""
    yesterday = clock.to_local(clock.now() - timedelta(days=1))
    values = {
        "channel": "营业厅",
        "category": "手机上网",
        "topic": topic,
        "summary": "客户反映家中室内无法上网,已重启手机无效。",
        "customer_phone": "13800138000",
        "customer_value": "金卡",
        "received_at": yesterday.strftime("%Y-%m-%dT%H:%M"),
        "disputed_amount": "88.50",
    }
    values.update(changes)
    return values


def saved_count(live_app, topic: str) -> int:
    with live_app.app_context():
        count = db.session.query(Complaint).filter_by(topic=topic).count()
        db.session.remove()
        return count


def test_agent_files_a_complaint_by_form_and_finds_it_in_the_list(page_as, screenshot):
    page = page_as("agent1")
    open_menu(page, "投诉处理", "投诉工单")
    page.locator("a[href*='/complaints/add']").first.click()
    expect(page.locator(".panel-title")).to_have_text("受理投诉")
    fill_form(page, complaint_form("家中无法上网", received_at=""))  # now: the top of the list
    page.locator("#model_form [type=submit]").click()

    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#complaint-number")).to_have_text(NUMBER)  # the saved complaint opens
    open_menu(page, "投诉处理", "投诉工单")
    row = page.locator("table tr", has_text="家中无法上网")
    expect(row).to_have_count(1)
    number = row.locator("td").filter(has_text=NUMBER)
    expect(number).to_have_count(1)
    expect(row).to_contain_text("营业厅")
    expect(row).to_contain_text("10086 A班组")
    screenshot(page, "complaint-list")

    filed = number.inner_text().strip()
    row.locator("a.complaint-number").click()
    expect(page.locator(".panel-title").first).to_contain_text(f"{filed} · 家中无法上网")
    details = {
        "受理渠道": "营业厅",
        "客户号码": "13800138000",
        "客户价值": "金卡",
        "受理人": re.compile(r"陈\s?晓敏 · 10086 A班组"),
        "争议金额(元)": "88.50",
    }
    for label, value in details.items():
        expect(shown(page, label).first).to_contain_text(value)
    expect(shown(page, "首次联系时限").last).to_contain_text("剩余")
    expect(page.locator("#timeline")).to_contain_text("已受理")
    screenshot(page, "complaint-detail")


# (field, typed value, the error shown beside it, the topic typed with it)
INVALID = [
    ("customer_phone", "12800138000", "请填写11位大陆手机号码", "号码填错的投诉"),
    ("received_at", "2099-01-01T09:00", "受理时间不能晚于当前时间", "受理时间填错的投诉"),
]


@pytest.mark.parametrize(("field", "value", "message", "topic"), INVALID, ids=[row[0] for row in INVALID])
def test_an_invalid_form_keeps_every_typed_value_and_shows_the_error_beside_the_field(
    live_app, page_as, screenshot, field, value, message, topic
):
    typed = complaint_form(topic, **{field: value})
    page = page_as("agent1")
    page.goto("/complaints/add")
    fill_form(page, typed)
    page.locator("#model_form [type=submit]").click()

    expect(field_error(page, field)).to_contain_text(message)
    expect(page.locator(".alert-danger")).to_have_count(1)
    expect_form_values(page, typed)
    screenshot(page, f"complaint-form-error-{field.replace('_', '-')}")
    assert saved_count(live_app, topic) == 0


def test_the_form_shows_the_customers_history_as_the_phone_is_typed(page_as, screenshot):
    page = page_as("agent1")
    page.goto("/complaints/add")
    fill_form(page, complaint_form("第一次来电", customer_phone="13812345678", received_at=""))
    page.locator("#model_form [type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto("/complaints/add")
    history = page.locator("#customer-history")
    expect(history).to_be_hidden()
    page.locator("#customer_phone").fill("13812345678")
    expect(history).to_be_visible()
    expect(history.locator("#history-counts")).to_contain_text("该号码此前投诉 1 次,其中本月 1 次。")
    expect(history.locator("#history-complaints a")).to_have_count(1)
    expect(history).to_contain_text("第一次来电")
    screenshot(page, "complaint-form-history")
