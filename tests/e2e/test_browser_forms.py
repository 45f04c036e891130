"""Forms that help: pickers that search, selects with translated labels, the phone number
checked as typed, the receiving side shown but not editable, live countdowns to each
deadline, and a question before each irreversible step (approve, reject, close)."""

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import RefundType
from tests.e2e.pages import exactly, open_menu, page_token
from tests.helpers import category_id


def record(page: Page, live_app, topic: str) -> int:
    """A complaint recorded through the API by the signed-in user (the page's session); its id."""
    body = {
        "channel": "hotline_10086",
        "category": category_id(live_app, "mobile_data"),
        "topic": topic,
        "summary": "客户反映手机上网速度很慢。",
        "customer_phone": "13800138000",
    }
    response = page.request.post("/api/v1/complaint/", data=body, headers=page_token(page))
    assert response.status == 201, response.text()
    return response.json()["id"]


def picker(page: Page, field: str):
    """Open the Select2 box of ``field``; its search input."""
    page.locator(f"#{field} + .select2").click()
    return page.locator(".select2-container--open .select2-search__field")


def options(page: Page):
    return page.locator(".select2-container--open .select2-results__option")


def test_related_pickers_search_and_speak_chinese(page_as, screenshot):
    page = page_as("agent1")
    page.goto("/complaints/add")
    search = picker(page, "category")
    search.fill("上网")
    expect(options(page)).to_have_text(["手机上网"])
    search.fill("找不到的分类")
    expect(options(page)).to_have_text(["未找到结果"])
    page.keyboard.press("Escape")

    picker(page, "responsible_department").fill("综援")
    expect(options(page)).to_have_text(["综援室 (CSC-ZY)"])
    screenshot(page, "complaint-form-department-picker")
    options(page).first.click()
    expect(page.locator("#select2-responsible_department-container")).to_have_attribute("title", "综援室 (CSC-ZY)")
    expect(page.locator("#responsible_department + .select2 .select2-selection__clear")).to_have_attribute(
        "title", "清除"
    )


# (the page's language, the channel options shown, the cause options shown)
LANGUAGES = [
    ("zh", ["10086热线", "营业厅", "网站", "信函", "来访", "电子邮件"], "个案"),
    ("en", ["10086 hotline", "Service hall", "Website", "Letter", "Visit", "Email"], "Individual case"),
]


@pytest.mark.parametrize(("language", "channels", "cause"), LANGUAGES, ids=[row[0] for row in LANGUAGES])
def test_coded_fields_are_selects_with_labels_in_the_users_language(page_as, language, channels, cause):
    page = page_as("agent1")
    page.goto(f"/lang/{language}")
    page.goto("/complaints/add")
    picker(page, "channel")
    expect(options(page)).to_have_text(channels)
    page.keyboard.press("Escape")
    picker(page, "cause")
    expect(options(page).first).to_have_text(cause)
    expect(page.locator("#channel option").first).to_have_attribute("value", "hotline_10086")


def test_the_phone_number_is_checked_as_it_is_typed(page_as, screenshot):
    page = page_as("agent1")
    page.goto("/complaints/add")
    phone = page.locator("#customer_phone")
    expect(phone).to_have_attribute("inputmode", "numeric")
    hint = page.locator("#customer_phone-hint")
    phone.fill("1380013")
    expect(hint).to_be_visible()
    expect(hint).to_have_text("请填写11位大陆手机号码,例如 13800138000。")
    screenshot(page, "complaint-form-phone-as-typed")
    phone.fill("13800138000")
    expect(hint).to_be_hidden()
    phone.fill("12800138000")
    expect(hint).to_be_visible()


def test_the_receiving_side_is_shown_but_cannot_be_changed(page_as):
    page = page_as("agent1")
    page.goto("/complaints/add")
    for field, value in (("receiver", "陈晓敏"), ("receiving_department", "10086 A班组")):
        box = page.locator(f"#{field}")
        expect(box).to_have_value(value)
        expect(box).not_to_be_editable()
    expect(page.locator("#model_form tr", has=page.locator("#receiving_department"))).to_contain_text("首问负责")


def test_each_deadline_counts_down_live(live_app, page_as, screenshot):
    page = page_as("agent1")
    pk = record(page, live_app, "倒计时的投诉")
    page.clock.install()  # the page's own clock, moved on by the test
    page.goto(f"/complaints/show/{pk}")
    first_contact = page.locator("#deadlines tr", has=page.locator("th", has_text=exactly("首次联系时限")))
    countdown = first_contact.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^剩余 23小时5\d分$"))
    screenshot(page, "complaint-countdown")
    page.clock.run_for("02:00:00")
    expect(countdown).to_have_text(re.compile(r"^剩余 21小时5\d分$"))
    expect(first_contact).not_to_have_class(re.compile("danger"))
    page.clock.run_for("23:00:00")
    expect(countdown).to_have_text(re.compile(r"^已超期 \d+小时\d+分$"))
    expect(first_contact).to_have_class(re.compile("danger"))
    result = page.locator("#deadlines tr", has=page.locator("th", has_text=exactly("处理结果时限")))
    expect(result.locator(".countdown")).to_have_text(re.compile(r"^剩余 \d+小时\d+分$"))


def answer_next_dialog(page: Page, accept: bool) -> list[str]:
    """Answer the next question the page asks; the questions asked."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", answer)
    return asked


def test_closing_a_complaint_asks_first(live_app, page_as):
    page = page_as("agent1")
    pk = record(page, live_app, "归档前确认的投诉")
    resolved = page.request.post(
        f"/api/v1/complaint/{pk}/resolve", data={"text": "已为客户调整套餐。"}, headers=page_token(page)
    )
    assert resolved.status == 200, resolved.text()
    page.goto(f"/complaints/show/{pk}")
    status = page.locator(".panel-title .label-info").first
    expect(status).to_have_text("已解决")
    page.locator("select[name=callback]").select_option(label="满意")

    asked = answer_next_dialog(page, accept=False)
    page.get_by_role("button", name="归档").click()
    assert asked == ["确定归档此投诉?回访结果不能更改。"]
    expect(status).to_have_text("已解决")

    asked = answer_next_dialog(page, accept=True)
    page.get_by_role("button", name="归档").click()
    expect(status).to_have_text("已归档")
    assert asked == ["确定归档此投诉?回访结果不能更改。"]


def test_rejecting_a_refund_asks_first(live_app, page_as):
    agent = page_as("agent1")
    pk = record(agent, live_app, "驳回前确认的退费")
    with live_app.app_context():
        billing_error = db.session.query(RefundType.id).filter_by(code="billing_error").scalar()
        db.session.remove()
    body = {"complaint": pk, "amount": "250.00", "refund_type": billing_error, "liability": "yes"}
    response = agent.request.post("/api/v1/refund/", data=body, headers=page_token(agent))
    assert response.status == 201, response.text()
    refund = response.json()["id"]

    manager = page_as("room1")
    manager.goto(f"/refund-inbox/decide/{refund}")
    asked = answer_next_dialog(manager, accept=False)
    manager.get_by_role("button", name="驳回").click()
    assert asked == ["确定驳回此退费?审批后不能更改。"]
    expect(manager).to_have_url(re.compile(f"/refund-inbox/decide/{refund}$"))

    manager.fill("#note", "属客户自身原因,已解释")  # a rejection gives its reason
    asked = answer_next_dialog(manager, accept=True)
    manager.get_by_role("button", name="驳回").click()
    expect(manager.locator(".alert-success")).to_contain_text("已驳回")
    open_menu(agent, "投诉处理", "退费申请")
    expect(agent.locator("table tr", has_text="¥250.00")).to_contain_text("已驳回")


def test_the_department_to_dispatch_to_is_found_by_searching(live_app, page_as, screenshot):
    page = page_as("agent1")
    pk = record(page, live_app, "派单时搜索部门的投诉")
    page.goto(f"/complaints/show/{pk}")
    search = picker(page, "dispatch-department")
    search.fill("网维")
    expect(options(page)).to_have_text(["网维中心"])
    options(page).first.click()
    screenshot(page, "complaint-dispatch-picker")
    page.get_by_role("button", name="派单").click()
    expect(page.locator(".panel-title .label-info").first).to_have_text("已派单")


def test_the_group_lists_complaint_filter_finds_only_my_complaints_as_i_type(page_as, live_app):
    """The complaint filter of the temporary groups' list asks for matches as it is typed
    (app/views/related.py): the user's own complaints, never another department's."""
    other = page_as("agent1")
    other_id = record(other, live_app, "下拉框 热线")
    page = page_as("hall1")
    own_id = record(page, live_app, "下拉框 营业厅")
    with live_app.app_context():
        from app.models import Complaint

        own, theirs = (db.session.get(Complaint, pk).number for pk in (own_id, other_id))
        db.session.remove()
    page.goto("/handling-groups/list/")
    page.locator("a.accordion-toggle").click()  # 搜索
    page.locator("#filter_form .dropdown-toggle").click()  # 添加过滤条件
    page.locator("a.filter[name=complaint]").click()
    page.locator("td.filter .select2").last.click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(own[-6:])
    expect(options(page)).to_have_text([own])
    search.fill(theirs)
    expect(options(page)).to_have_text(["未找到结果"])
