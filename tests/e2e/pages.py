"""What a person does on the pages: sign in, open a menu, fill a form, read it back.

Select fields are Select2 widgets: the person clicks the box and picks an option
by its label, and reads the chosen label back from the box.
"""

import re

from playwright.sync_api import Locator, Page, expect

from config import TestConfig

PASSWORD = TestConfig.DEMO_PASSWORD


def log_in(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Sign in through the login form."""
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def exactly(text: str) -> re.Pattern:
    """Matches an element whose whole text is ``text`` (spaces around aside)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def menu(page: Page) -> Locator:
    """The entries of the top menu bar (left side), as a person reads them."""
    return page.locator(".navbar-nav:not(.navbar-right) > li > a")


def open_menu(page: Page, *path: str) -> None:
    """Click through the menu bar: an entry of the bar, then one of its drop-down."""
    top, *rest = path
    menu(page).filter(has_text=exactly(top)).click()
    for entry in rest:
        page.locator(".navbar-nav .dropdown-menu a").filter(has_text=exactly(entry)).click()


def _is_select(page: Page, field: str) -> bool:
    return page.locator(f"select#{field}").count() == 1


def choose(page: Page, field: str, label: str) -> None:
    """Pick ``label`` in the Select2 box of ``field``."""
    page.locator(f"#{field} + .select2").click()
    page.locator(".select2-results__option").filter(has_text=exactly(label)).click()


def fill_form(page: Page, values: dict[str, str]) -> None:
    """Type into inputs and text areas; pick options of selects by their label."""
    for field, value in values.items():
        if _is_select(page, field):
            choose(page, field, value)
        else:
            page.fill(f"#{field}", value)


def expect_form_values(page: Page, values: dict[str, str]) -> None:
    """Every field still shows what was typed or chosen."""
    for field, value in values.items():
        if _is_select(page, field):
            expect(page.locator(f"#select2-{field}-container")).to_have_attribute("title", value)
        else:
            expect(page.locator(f"#{field}")).to_have_value(value)


def field_error(page: Page, field: str) -> Locator:
    """The error shown beside ``field``: in the form's row of that field."""
    return page.locator("#model_form tr", has=page.locator(f"#{field}")).locator(".alert-danger")


def shown(page: Page, label: str) -> Locator:
    """The value a detail page shows beside ``label``."""
    return page.locator("tr", has=page.locator("th", has_text=exactly(label))).locator("td")


def page_token(page: Page) -> dict[str, str]:
    """The CSRF header a script of the open page sends with a change made with the session cookie."""
    return {"X-CSRFToken": page.locator('input[name="csrf_token"]').first.get_attribute("value")}
