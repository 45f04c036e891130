"""The screens agents live in all day: filtering the list, the number after saving, a form that follows the call."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select, update

from app import clock
from app.extensions import db
from app.models import Category, Complaint
from app.models.org import Department, User
from tests.e2e.pages import choose, fill_form, open_menu
from tests.e2e.test_browser_complaints import complaint_form

NUMBER = re.compile(r"^DG\d{12}$")


def record_count(page) -> int:
    """The list's "记录数目: N", as the page shows it."""
    text = page.locator("strong", has_text="记录数目").locator("xpath=..").inner_text()
    return int(re.search(r"(\d+)\s*$", text.strip()).group(1))


def file_complaints(live_app, topic: str, received: list, status: str = "received") -> None:
    """Complaints by agent1 received at the given local times, arranged through the database."""
    with live_app.app_context():
        agent = db.session.scalar(select(User).where(User.username == "agent1"))
        team = db.session.scalar(select(Department).where(Department.code == "CSC-HOT-A"))
        category = db.session.scalar(select(Category).where(Category.code == "bill_dispute"))
        for moment in received:
            complaint = Complaint(
                channel="hotline_10086",
                category=category,
                topic=topic,
                summary="客户对账单有疑问。",
                customer_phone="13900001111",
                received_at=moment,
            )
            complaint.receiver_id, complaint.receiving_department_id = agent.id, team.id
            db.session.add(complaint)
        db.session.commit()
        if status != "received":  # a state the flow would take several actions to reach
            db.session.execute(update(Complaint).where(Complaint.topic == topic).values(status=status))
            db.session.commit()
        db.session.remove()


def visible_count(live_app, *criteria) -> int:
    """What agent1's list should hold: everything of the hotline team (agent1 sees their team's rows)."""
    with live_app.app_context():
        team = db.session.scalar(select(Department.id).where(Department.code == "CSC-HOT-A"))
        count = db.session.scalar(
            select(func.count(Complaint.id)).where(Complaint.receiving_department_id == team, *criteria)
        )
        db.session.remove()
        return count


def test_agent_filters_the_list_by_day_and_status_with_pickers_and_removes_them(live_app, page_as, screenshot):
    day = clock.to_local(clock.now()).date() - timedelta(days=3)
    start = clock.first_instant(day)
    file_complaints(live_app, "筛选账单甲", [start + timedelta(hours=1), start + timedelta(hours=23, minutes=30)])
    file_complaints(live_app, "筛选账单乙", [start + timedelta(hours=2)], status="replied")
    file_complaints(live_app, "筛选账单丙", [start + timedelta(days=1, hours=1)], status="replied")
    page = page_as("agent1")
    open_menu(page, "投诉处理", "投诉工单")
    page.locator("#filter-received_from").fill(day.isoformat())
    page.locator("#filter-received_to").fill(day.isoformat())
    page.locator("#filter-status").select_option(label="已初步答复")
    page.locator("#apply-filters").click()

    chips = page.locator("#filter-chips .chip")
    expect(chips).to_have_count(3)
    expect(chips.nth(0)).to_contain_text(f"受理时间起 {day.isoformat()}")
    expect(chips.nth(2)).to_contain_text("状态: 已初步答复")
    expect(page.locator("#filter-status")).to_have_value("replied")  # the panel shows what is on
    next_day = clock.first_instant(day + timedelta(days=1))
    in_day = (Complaint.received_at >= start, Complaint.received_at < next_day)
    assert record_count(page) == visible_count(live_app, *in_day, Complaint.status == "replied")
    expect(page.locator("table tr", has_text="筛选账单乙")).to_have_count(1)
    expect(page.locator("table tr", has_text="筛选账单丙")).to_have_count(0)
    expect(page.locator("table tr", has_text="筛选账单甲")).to_have_count(0)
    screenshot(page, "complaint-list-filtered")

    chips.filter(has_text="状态").locator("a").click()  # remove the status: the day stays
    expect(chips).to_have_count(2)
    assert record_count(page) == visible_count(live_app, *in_day)
    expect(page.locator("table tr", has_text="筛选账单甲")).to_have_count(2)

    page.locator("#clear-filters").click()
    expect(chips).to_have_count(0)
    assert record_count(page) == visible_count(live_app)


def test_the_category_and_department_pickers_read_in_chinese_and_find_their_rows(live_app, page_as):
    page = page_as("agent1")
    open_menu(page, "投诉处理", "投诉工单")
    page.locator("#filter-category").select_option(label="话费争议")
    page.locator("#filter-receiving_department").select_option(label="10086 A班组")
    page.locator("#apply-filters").click()
    expect(page.locator("#filter-chips .chip")).to_have_count(2)
    with live_app.app_context():
        bill = db.session.scalar(select(Category.id).where(Category.code == "bill_dispute"))
        db.session.remove()
    assert record_count(page) == visible_count(live_app, Complaint.category_id == bill)
    for text in ("关联", "Not In", "In"):
        expect(page.locator("#complaint-filters")).not_to_contain_text(re.compile(rf"\b{text}\b"))


def test_a_date_typed_wrongly_is_said_not_silently_changed(page_as):
    page = page_as("agent1")
    open_menu(page, "投诉处理", "投诉工单")
    page.locator("#filter-received_from").fill("2026-11-15")
    page.locator("#filter-received_from").blur()
    expect(page.locator("#filter-received_from")).to_have_value("2026-11-15")  # not "10/11/15", not today
    page.goto("/complaints/list/?received_from=10/11/15")  # a link written by hand elsewhere
    expect(page.locator(".alert-danger")).to_contain_text("请填写日期,例如 2026-11-15")


def test_saving_a_complaint_opens_it_with_its_number_to_read_and_copy(live_app, page_as, screenshot):
    page = page_as("agent1")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_menu(page, "投诉处理", "投诉工单")
    page.locator("a[href*='/complaints/add']").first.click()
    expect(page.locator(".panel-title")).to_have_text("受理投诉")
    fill_form(page, complaint_form("保存后报号码", received_at=""))
    page.locator("#model_form [type=submit]").click()

    number = page.locator("#complaint-number")
    expect(number).to_have_text(NUMBER)
    filed = number.inner_text().strip()
    expect(page.locator(".alert-success")).to_contain_text(f"投诉已受理,工单号 {filed}")
    page.locator("#copy-number").click()
    expect(page.locator("#copy-number")).to_contain_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == filed
    screenshot(page, "complaint-saved")

    open_menu(page, "投诉处理", "投诉工单")
    page.locator("a.complaint-number", has_text=filed).click()  # the number itself opens the complaint
    expect(page.locator("#complaint-number")).to_have_text(filed)


def test_the_form_starts_at_the_phone_and_warns_of_a_repeat_beside_it(live_app, page_as, screenshot):
    page = page_as("agent2")
    page.goto("/complaints/add")
    fill_form(page, complaint_form("第一次账单疑问", category="话费争议", customer_phone="13811112222", received_at=""))
    page.locator("#model_form [type=submit]").click()
    expect(page.locator("#complaint-number")).to_have_text(NUMBER)
    filed = page.locator("#complaint-number").inner_text().strip()

    page.goto("/complaints/add")
    phone = page.locator("#customer_phone")
    expect(phone).to_be_focused()  # typing starts at once, no Tab
    expect(page.locator("#select2-category-container")).to_have_attribute("title", "—")  # none chosen for us
    page.keyboard.type("13811112222")
    history = page.locator("#customer-history")
    expect(history).to_be_visible()
    assert history.bounding_box()["y"] < 400  # beside the number, not two screens down
    expect(page.locator("#repeat-warning")).to_have_count(0)

    page.keyboard.press("Tab")  # the next stop is the category; typing searches it
    page.keyboard.press("Enter")
    page.keyboard.type("话费")
    expect(page.locator(".select2-results__option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#select2-category-container")).to_have_attribute("title", "话费争议")
    warning = page.locator("#repeat-warning")
    expect(warning).to_contain_text("这将是一次重复投诉")
    expect(warning.locator("a")).to_have_text(filed)
    screenshot(page, "complaint-form-repeat")


def test_major_complaint_fields_show_only_for_a_major_complaint(page_as):
    page = page_as("agent1")
    page.goto("/complaints/add")
    major_type = page.locator("#major_type")
    plan = page.locator("#temporary_plan")
    expect(page.locator("#model_form tr", has=major_type)).to_be_hidden()
    expect(page.locator("#model_form tr", has=plan)).to_be_hidden()
    choose(page, "severity", "重大")
    expect(page.locator("#model_form tr", has=major_type)).to_be_visible()
    expect(page.locator("#model_form tr", has=plan)).to_be_visible()
    choose(page, "severity", "普通")
    expect(page.locator("#model_form tr", has=major_type)).to_be_hidden()


def test_a_refund_request_starts_from_the_disputed_amount(page_as):
    page = page_as("agent1")
    page.goto("/complaints/add")
    fill_form(page, complaint_form("退费从争议金额开始", received_at="", disputed_amount="66.80"))
    page.locator("#model_form [type=submit]").click()
    expect(page.locator("#complaint-number")).to_have_text(NUMBER)
    page.get_by_role("link", name="申请退费").click()
    expect(page.locator("#amount")).to_have_value("66.80")
