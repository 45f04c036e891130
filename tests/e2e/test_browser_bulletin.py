"""Charts draw on an intranet: the bulletin and the leadership dashboard with every outside request refused."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from tests.bulletin_data import insert_month

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
