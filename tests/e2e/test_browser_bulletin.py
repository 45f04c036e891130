"""Charts draw on an intranet: the bulletin and the leadership dashboard with every outside request refused."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from tests.bulletin_data import insert_month
from tests.e2e.pages import open_menu

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def offline(page: Page) -> dict[str, list[str]]:
    """Refuse every request that leaves this machine; collect them and the console's errors."""
    seen = {"blocked": [], "errors": []}

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            seen["blocked"].append(url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    return seen


@pytest.fixture(scope="module")
def october(live_app):
    insert_month(live_app)


def test_the_bulletin_draws_its_charts_with_no_internet(october, page_as, screenshot):
    page = page_as("center1")
    seen = offline(page)
    page.goto("/bulletin/?month=2026-10")
    expect(page.locator(".panel-title").first).to_contain_text("月度通报 2026-10")
    charts = page.locator(".bulletin-chart[data-drawn=true]")
    expect(charts.first).to_be_visible()
    assert charts.count() == page.locator(".bulletin-chart").count() >= 8
    expect(page.locator("#chart-by_category canvas").first).to_be_visible()
    expect(page.locator("#section-overview td").first).to_have_text("受理投诉")
    expect(page.locator("#section-overview tr", has_text="受理投诉").locator("td").nth(1)).to_have_text("6")
    screenshot(page, "bulletin")
    assert seen == {"blocked": [], "errors": []}

    with page.expect_download() as download:
        page.click("#bulletin-download")
    assert download.value.suggested_filename == "bulletin-2026-10.xlsx"


def test_the_month_picker_shows_another_month(october, page_as):
    page = page_as("leader1")
    page.goto("/bulletin/")
    page.fill("#bulletin-month", "2026-09")
    page.locator("form[action='/bulletin/'] button").click()
    expect(page.locator(".panel-title").first).to_contain_text("月度通报 2026-09")
    expect(page.locator("#section-overview tr", has_text="受理投诉").locator("td").nth(1)).to_have_text("2")


def test_the_leadership_dashboard_draws_the_trend_with_no_internet(page_as, screenshot):
    page = page_as("leader1")
    seen = offline(page)
    page.goto("/")
    expect(page.locator("#chart-trend[data-drawn=true] canvas").first).to_be_visible()
    expect(page.locator("#dashboard-leadership .dashboard-figure")).to_have_count(2)
    screenshot(page, "home-leadership-dashboard")
    assert seen == {"blocked": [], "errors": []}


def test_a_frontline_agent_has_its_own_dashboard_and_no_bulletin(page_as):
    page = page_as("agent1")
    expect(page.locator("#dashboard-frontline")).to_be_visible()
    expect(page.locator("#dashboard-manager")).to_have_count(0)
    expect(page.locator("a", has_text="月度通报")).to_have_count(0)
    assert page.goto("/bulletin/").status == 403


# -- the bulletin for the people who read it (issue 24, item 8) --------------------------------


@pytest.fixture(scope="module")
def last_month(live_app):
    """The last complete month with complaints in every category (more than ECharts' nine colours)."""
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import insert, select

    from app import clock
    from app.extensions import db
    from app.models import Category, Complaint, Department, Dispatch

    month = clock.previous_month(clock.current_month(clock.now()))
    start, _end = clock.month_bounds(month)
    with live_app.app_context():
        categories = db.session.scalars(select(Category.id).order_by(Category.id)).all()
        agent = db.session.scalar(select(User.id).where(User.username == "agent1"))
        team = db.session.scalar(select(Department.id).where(Department.code == "CSC-HOT-A"))
        net = db.session.scalar(select(Department.id).where(Department.code == "NET"))
        callbacks = ["satisfied", "basically_satisfied", "dissatisfied", None]
        for index, category in enumerate(categories):
            received = start + timedelta(days=1, hours=index)
            complaint = db.session.execute(
                insert(Complaint)
                .values(
                    number=f"DGLASTMONTH{index:03d}",
                    channel="hotline_10086",
                    source="media" if index % 5 == 0 else None,
                    escalated=index % 5 == 0,
                    category_id=category,
                    topic=f"上月通报 {index}",
                    signature=f"上月通报 {index}",
                    summary="上月通报",
                    customer_phone="13900139000",
                    received_at=received,
                    receiver_id=agent,
                    receiving_department_id=team,
                    status="closed",
                    callback=callbacks[index % 4],
                    resolved_at=received + timedelta(hours=5),
                    resolve_due=received + timedelta(hours=48),
                )
                .returning(Complaint.id)
            ).scalar_one()
            if index < 4:
                db.session.execute(
                    insert(Dispatch).values(
                        complaint_id=complaint,
                        department_id=net,
                        dispatched_by_id=agent,
                        dispatched_at=received,
                        reply_due=received + timedelta(hours=24),
                        status="replied",
                        replied_at=received + timedelta(hours=2 if index < 3 else 30),
                    )
                )
        db.session.commit()
    return month


def chart_option(page: Page, chart_id: str) -> dict:
    return page.evaluate(
        "id => { const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();"
        " return {color: o.color, series: o.series, xAxis: o.xAxis, yAxis: o.yAxis}; }",
        chart_id,
    )


# The drawn axis labels of a chart (zrender's display list, as drawn): their text and box on the canvas.
DRAWN_LABELS = """id => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const option = chart.getOption();
  const axis = option.xAxis[0].type === "category" ? option.xAxis[0] : option.yAxis[0];
  const names = axis.data.map(String);
  const truncated = text => text.endsWith("...") && names.some(name => name.startsWith(text.slice(0, -3)));
  const matches = text => names.includes(text) || truncated(text);
  const drawn = el => el.style && typeof el.style.text === "string" && !el.ignore && !el.invisible;
  return chart.getZr().storage.getDisplayList(true)
    .filter(el => drawn(el) && matches(el.style.text))
    .map(el => {
      const box = el.getBoundingRect().clone();
      box.applyTransform(el.getComputedTransform());
      return {text: el.style.text, x: box.x, y: box.y, width: box.width, height: box.height};
    });
}"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for index, one in enumerate(boxes):
        for other in boxes[index + 1 :]:
            apart = (
                one["x"] + one["width"] <= other["x"] + 1
                or other["x"] + other["width"] <= one["x"] + 1
                or one["y"] + one["height"] <= other["y"] + 1
                or other["y"] + other["height"] <= one["y"] + 1
            )
            if not apart:
                pairs.append((one["text"], other["text"]))
    return pairs


def test_the_bulletin_reads_for_its_readers(live_app, last_month, page_as, screenshot):
    from flask_babel import force_locale

    from app import bulletin, clock

    page = page_as("room1")
    seen = offline(page)
    open_menu(page, "投诉处理", "月度通报")
    # It opens on the last complete month, not the current one.
    expect(page.locator("#bulletin-month")).to_have_value(f"{last_month:%Y-%m}")
    expect(page.locator("#bulletin-title")).to_have_text(f"{last_month.year}年{last_month.month}月投诉情况通报")
    with live_app.app_context(), force_locale("zh"):
        expected = bulletin.build(last_month, clock.now())
    expect(page.locator("#bulletin-analysis")).to_have_text(expected.analysis)

    # The rates, each with its definition beside it.
    rates = page.locator("#section-rates tbody tr")
    expect(rates).to_have_count(4)
    for index, (name, counted, out_of, this, _before, definition) in enumerate(expected.section("rates").rows):
        cells = rates.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(name)
        expect(cells.nth(1)).to_have_text(str(counted))
        expect(cells.nth(2)).to_have_text(str(out_of))
        expect(cells.nth(3)).to_have_text(str(this))
        expect(cells.nth(5)).to_have_text(definition)
    # 3 of the 4 dispatches were replied to within their 24 hours.
    expect(rates.nth(0).locator("td").nth(3)).to_have_text("75.0")
    expect(page.locator("#section-rates")).to_contain_text("回访结果为满意或基本满意")

    # Every category its own colour.
    expect(page.locator("#chart-by_category[data-drawn=true]")).to_be_visible()
    option = chart_option(page, "chart-by_category")
    this_month = option["series"][0]["data"]
    colours = [item["itemStyle"]["color"] for item in this_month]
    assert len(this_month) >= 14
    assert len(set(colours)) == len(colours)

    # Axis labels are never drawn over one another, on any chart of the page.
    for chart_id in page.locator(".bulletin-chart[data-drawn=true]").evaluate_all("els => els.map(e => e.id)"):
        if chart_option(page, chart_id)["xAxis"]:
            boxes = page.evaluate(DRAWN_LABELS, chart_id)
            assert boxes, chart_id
            assert overlapping(boxes) == [], chart_id

    # A tooltip at the chart's right edge stays in the window.
    chart = page.locator("#chart-by_category")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 25, box["y"] + box["height"] / 2)
    tooltip = chart.locator("div").filter(has_text="本月").last
    expect(tooltip).to_be_visible()
    edges = tooltip.evaluate("el => { const r = el.getBoundingClientRect(); return [r.left, r.right, innerWidth]; }")
    assert edges[0] >= 0 and edges[1] <= edges[2], edges
    screenshot(page, "bulletin-rates")
    assert seen == {"blocked": [], "errors": []}
