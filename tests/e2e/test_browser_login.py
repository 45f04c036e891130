"""Signing in, and the language of the pages."""

import re

from playwright.sync_api import expect

from tests.e2e.pages import exactly, menu, open_menu, page_token
from tests.helpers import complaint_body


def test_the_login_page_is_chinese_by_default(new_page, screenshot):
    page = new_page(locale="en-US")  # whatever the browser prefers
    page.goto("/login/")
    expect(page.locator(".panel-title")).to_have_text("登录")
    expect(page.locator("label[for=username]")).to_contain_text("用户名")
    expect(page.locator("label[for=password]")).to_contain_text("密码")
    expect(page.locator("[type=submit]")).to_have_value("登录")
    screenshot(page, "login")


def test_a_wrong_password_keeps_the_user_on_the_login_page(page):
    page.goto("/login/")
    page.fill("#username", "agent1")
    page.fill("#password", "wrong")
    page.click("[type=submit]")
    expect(page.get_by_text("无效的用户名或密码")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(menu(page)).to_have_count(0)


def test_switching_to_english_shows_english_labels(live_app, page_as, screenshot):
    page = page_as("agent1")
    created = page.request.post("/api/v1/complaint/", data=complaint_body(live_app), headers=page_token(page))
    assert created.status == 201, created.text()  # a list with a row, whatever ran before
    page.locator(".navbar-right .dropdown-toggle:has(.flag)").click()
    page.get_by_role("link", name="English").click()
    expect(menu(page).filter(has_text=exactly("Complaint handling"))).to_be_visible()
    expect(menu(page).filter(has_text=exactly("Organisation"))).to_be_visible()
    open_menu(page, "Complaint handling", "Complaints")
    expect(page.locator(".panel-title").first).to_have_text("Complaints")
    expect(page.locator("table th")).to_contain_text(["Number", "Received at", "Channel", "Category", "Topic"])
    screenshot(page, "complaint-list-en")


def test_signing_out_from_the_navbar_ends_the_session(page_as):
    page = page_as("agent1")
    copied = [cookie for cookie in page.context.cookies() if cookie["name"] == "session"]
    page.locator(".navbar-right .dropdown-toggle:has(.fa-user)").click()
    page.get_by_role("button", name="注销").click()
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()
    expect(menu(page)).to_have_count(0)
    page.context.add_cookies(copied)  # the cookie as it was before signing out
    page.goto("/complaints/list/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(menu(page)).to_have_count(0)
