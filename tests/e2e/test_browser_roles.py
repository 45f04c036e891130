"""Each demo role signs in and sees its own menu; what is not in it cannot be reached by URL either."""

import pytest
from playwright.sync_api import expect

from app.demo import USERS
from tests.e2e.pages import exactly, menu

FULL_NAMES = {username: family + given for username, _role, _department, _position, family, given in USERS}

# (user, entries of the menu bar shown, entries shown nowhere in the menus, a page of those, its title)
ROLES = [
    ("agent1", ["投诉处理", "组织机构"], ["审计日志", "用户权限"], "/audit/list/", "审计日志"),
    ("room1", ["投诉处理", "组织机构"], ["审计日志", "用户权限"], "/audit/list/", "审计日志"),
    ("center1", ["投诉处理", "组织机构"], ["审计日志", "用户权限"], "/audit/list/", "审计日志"),
    ("leader1", ["投诉处理", "组织机构", "审计日志"], ["用户权限", "用户列表"], "/users/list/", "用户列表"),
    ("admin", ["用户权限", "组织机构", "审计日志"], ["投诉处理", "投诉工单"], "/complaints/add", "受理投诉"),
]


@pytest.mark.parametrize(("username", "shown", "hidden", "url", "title"), ROLES, ids=[row[0] for row in ROLES])
def test_each_role_sees_its_own_menu_and_reaches_nothing_else(page_as, screenshot, username, shown, hidden, url, title):
    page = page_as(username)
    expect(page.locator("h2 + p")).to_contain_text(FULL_NAMES[username])
    expect(page.locator(".navbar-right")).to_contain_text(FULL_NAMES[username])
    for entry in shown:
        expect(menu(page).filter(has_text=exactly(entry))).to_be_visible()
    for entry in hidden:
        expect(page.locator(".navbar a").filter(has_text=exactly(entry))).to_have_count(0)
    if "投诉处理" in shown:
        menu(page).filter(has_text=exactly("投诉处理")).click()
        expect(page.locator(".navbar .dropdown-menu a").filter(has_text=exactly("投诉工单"))).to_be_visible()
    screenshot(page, f"home-{username}")

    # A signed-in user without the permission gets the app's own 403 page, menu and all.
    response = page.goto(url)
    assert response.status == 403
    expect(page.locator("#error-page .panel-title")).to_have_text("403 · 拒绝访问")
    expect(page.locator("#error-page")).to_contain_text("您没有打开此页面的权限")
    expect(menu(page).first).to_be_visible()
    expect(page.locator("#error-page")).not_to_contain_text(title)
    # Nothing of the refused page but the navbar's search box.
    expect(page.locator("table, form:not([role=search]):not(.navbar-sign-out)")).to_have_count(0)
    if username == "agent1":
        screenshot(page, "forbidden")
