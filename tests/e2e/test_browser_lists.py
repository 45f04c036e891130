"""The complaint list as agents work it: the home page's overdue figure, sorting by any column,
jumping to a page, and rows that stay on one line at 1024 px."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.models import Category, Complaint
from app.models.org import Department, User
from tests.e2e.pages import log_in, open_menu
from tests.e2e.test_browser_daily import file_complaints, record_count

LONG_TOPIC = "长安镇某小区自上周起室内外信号时有时无" * 5  # 95 characters


def column_texts(page: Page, label: str) -> list[str]:
    """The text of each row's cell under the column headed ``label``."""
    expect(page.locator("table.table-bordered thead")).to_be_visible()
    headers = page.locator("table.table-bordered thead th").all_inner_texts()
    index = [text.strip() for text in headers].index(label)
    return [
        text.strip()
        for text in page.locator(f"table.table-bordered tbody tr td:nth-child({index + 1})").all_inner_texts()
    ]


def names_in_order(live_app, model) -> list[str]:
    """The names as the database orders them (its own collation)."""
    with live_app.app_context():
        names = list(db.session.scalars(select(model.name).order_by(model.name)))
        db.session.remove()
    return names


def assert_sorted(shown: list[str], order: list[str], descending: bool = False) -> None:
    """Each name (a department is shown with its code after it) no earlier in ``order`` than the one before."""
    ranks = [order.index(re.sub(r" \(.*\)$", "", text)) for text in shown if text]
    assert ranks == sorted(ranks, reverse=descending), shown


def spread_categories_and_departments(live_app) -> None:
    """Complaints of several categories, received at the hotline and at a hall, dispatched to NET and IT."""
    file_complaints(live_app, "排序甲", [clock.now() - timedelta(hours=1)] * 3)
    with live_app.app_context():
        categories = list(db.session.scalars(select(Category.id).order_by(Category.id)))
        net, it, hall = (
            db.session.scalar(select(Department.id).where(Department.code == code))
            for code in ("NET", "IT", "BR-GC-H1")
        )
        rows = list(db.session.scalars(select(Complaint.id).where(Complaint.topic == "排序甲")))
        for row, category, department in zip(rows, categories[-3:], (net, it, None), strict=True):
            db.session.execute(
                update(Complaint)
                .where(Complaint.id == row)
                .values(category_id=category, responsible_department_id=department)
            )
        db.session.execute(update(Complaint).where(Complaint.id == rows[0]).values(receiving_department_id=hall))
        db.session.commit()
        db.session.remove()


def test_the_agent_s_overdue_figure_counts_their_own_and_opens_that_list(live_app, page_as):
    late = clock.now() - timedelta(days=3)
    file_complaints(live_app, "超期本人", [late])
    with live_app.app_context():
        db.session.execute(
            update(Complaint).where(Complaint.topic == "超期本人").values(resolve_due=late + timedelta(hours=48))
        )
        # A colleague's late complaint of the same team: theirs, not agent1's.
        colleague = db.session.scalar(select(Complaint).where(Complaint.topic == "超期本人"))
        other = Complaint(
            channel=colleague.channel,
            category_id=colleague.category_id,
            topic="超期同事",
            summary=colleague.summary,
            customer_phone=colleague.customer_phone,
            received_at=late,
        )
        other.receiver_id = db.session.scalar(select(User.id).where(User.username == "agent2"))
        other.receiving_department_id = colleague.receiving_department_id
        db.session.add(other)
        db.session.commit()
        db.session.execute(
            update(Complaint).where(Complaint.topic == "超期同事").values(resolve_due=late + timedelta(hours=48))
        )
        db.session.commit()
        db.session.remove()
    page = page_as("agent1")
    figure = page.locator(".dashboard-figure", has_text="我受理的超期投诉")
    shown = int(figure.locator(".dashboard-count").inner_text())
    assert shown >= 1
    figure.click()
    expect(page.locator("table tr", has_text="超期本人")).to_have_count(1)
    expect(page.locator("table tr", has_text="超期同事")).to_have_count(0)
    assert record_count(page) == shown


def test_leadership_sorts_by_category_and_by_either_department(live_app, page_as):
    spread_categories_and_departments(live_app)
    page = page_as("leader1")
    open_menu(page, "投诉处理", "投诉工单")
    for label, model in (("投诉分类", Category), ("首问部门", Department), ("责任部门", Department)):
        order = names_in_order(live_app, model)
        directions, first_rows = [], []
        for _click in range(2):  # once, then the other way round
            page.locator("table.table-bordered thead th a", has_text=label).click()
            direction = re.search(r"_od_ComplaintView=(asc|desc)", page.url).group(1)
            shown = column_texts(page, label)
            assert_sorted(shown, order, descending=direction == "desc")
            directions.append(direction)
            first_rows.append(shown[0])
        assert sorted(directions) == ["asc", "desc"], label
        # Several names are in the list (arranged above): the two orders start differently,
        # whatever the earlier complaints of the list.
        assert first_rows[0] != first_rows[1], (label, first_rows)


def test_the_agent_jumps_to_a_page_by_its_number(live_app, page_as):
    file_complaints(live_app, "翻页账单", [clock.now() - timedelta(minutes=minutes) for minutes in range(1, 45)])
    page = page_as("agent1")
    open_menu(page, "投诉处理", "投诉工单")
    first_page = column_texts(page, "工单号")
    box = page.get_by_label("跳至第")
    expect(box).to_have_value("1")
    box.fill("2")
    page.get_by_role("button", name="跳转").click()
    page.wait_for_url(re.compile(r"page_ComplaintView=1"))
    expect(page.locator("ul.pagination li.active").first).to_have_text("2")
    expect(page.get_by_label("跳至第")).to_have_value("2")
    assert not set(column_texts(page, "工单号")) & set(first_page)

    pages = int(page.locator("form.jump-to-page").get_attribute("data-pages"))
    url = page.url
    page.get_by_label("跳至第").fill(str(pages + 5))
    page.get_by_role("button", name="跳转").click()
    expect(page.locator(".jump-error")).to_have_text(f"请填写 1 到 {pages} 之间的页码。")
    assert page.url == url


def test_at_1024_px_each_row_stays_on_one_line_and_a_long_topic_is_cut_with_its_text_on_hover(
    live_app, new_page, screenshot
):
    file_complaints(live_app, LONG_TOPIC, [clock.now()])
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, "agent1")
    open_menu(page, "投诉处理", "投诉工单")
    cell = page.locator("td.topic", has_text=LONG_TOPIC[:20]).first
    expect(cell).to_have_attribute("title", LONG_TOPIC)
    assert cell.evaluate("cell => cell.scrollWidth > cell.clientWidth")  # cut short on the page
    heights = page.locator("table.table-bordered tbody tr").evaluate_all(
        "rows => rows.map(row => row.getBoundingClientRect().height)"
    )
    line = page.locator("td.topic").first.evaluate("cell => parseFloat(getComputedStyle(cell).lineHeight)")
    padding = page.locator("td.topic").first.evaluate(
        "cell => parseFloat(getComputedStyle(cell).paddingTop) + parseFloat(getComputedStyle(cell).paddingBottom)"
    )
    assert heights and max(heights) < 2 * line + padding, (heights, line)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, width  # and nothing to scroll sideways
    screenshot(page, "complaint-list-1024")
