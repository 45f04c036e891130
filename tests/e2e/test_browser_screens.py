"""Every page of every role's menu opens, in Chinese with nothing left in English; each
page's screenshot goes to docs/screens/ (``make screens``). The pages come from the menus
themselves, so a page added to a menu is opened and photographed without a list to keep."""

import re
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from app.demo import USERS
from tests.e2e.pages import menu

CATALOGUES = [
    Path(__file__).resolve().parents[2] / "app/translations/zh/LC_MESSAGES/messages.po",
    Path(flask_appbuilder.__file__).parent / "translations/zh/LC_MESSAGES/messages.po",
]
# One demo user of each role, the first the demo data names.
ONE_OF_EACH_ROLE = list({role: username for username, role, *_rest in reversed(USERS)}.values())[::-1]
# Role names are identifiers (the home page shows them translated); FAB's role list shows them.
ROLE_NAMES = {role for _username, role, *_rest in USERS} | {"User", "Public"}
IDENTIFIER_PAGES = ("/roles/", "/viewmenus/", "/permissions/", "/permissionviews/")
# Pages photographed so far: each once, as the first role whose menu has it sees it.
PHOTOGRAPHED: set[str] = set()


def english_texts() -> set[str]:
    """The English texts of the app's and Flask-AppBuilder's catalogues that have a Chinese one."""
    texts = set()
    for path in CATALOGUES:
        with open(path, "rb") as file:
            for message in read_po(file):
                if isinstance(message.id, str) and message.string and re.search(r"[A-Za-z]{2}", message.id):
                    texts.add(message.id.strip())
    return texts - ROLE_NAMES


def menu_pages(page: Page) -> list[tuple[str, str]]:
    """(label, path) of each entry of the signed-in user's menu bar, drop-downs included."""
    entries = page.eval_on_selector_all(
        ".navbar-nav:not(.navbar-right) a[href]",
        "links => links.map(link => [link.textContent.trim(), link.getAttribute('href')])",
    )
    return [(label, href) for label, href in entries if href.startswith("/")]


def shown_texts(page: Page, path: str) -> list[str]:
    """The text of each visible element that holds text of its own, its tooltip and placeholder.
    The security pages list the names of roles, resources and menus, identifiers all: there,
    everything but the table's cells."""
    identifiers = path.startswith(IDENTIFIER_PAGES)
    return page.eval_on_selector_all(
        "body *:not(script):not(style)" + (":not(td):not(td *)" if identifiers else ""),
        """elements => {
            const visible = elements.filter(element => element.getClientRects().length);
            return visible.flatMap(element => [...element.childNodes]
                    .filter(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim())
                    .map(node => node.textContent.trim()))
                .concat(visible.map(element => element.title).filter(Boolean))
                .concat(visible.map(element => element.placeholder).filter(Boolean));
        }""",
    )


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].lower()).strip("-") or "home"


@pytest.mark.parametrize("username", ONE_OF_EACH_ROLE)
def test_every_menu_page_opens_in_chinese(page_as, screenshot, username):
    english = english_texts()
    page = page_as(username)
    pages = menu_pages(page)
    assert pages, f"{username} has no menu"
    for label, path in pages:
        response = page.goto(path)
        assert response.status == 200, f"{username}: {label} ({path}) answered {response.status}"
        expect(menu(page).first).to_be_visible()
        untranslated = sorted({text for text in shown_texts(page, path) if text in english})
        assert not untranslated, f"{username}: {label} ({path}) shows {untranslated}"
        if slug(path) not in PHOTOGRAPHED:
            PHOTOGRAPHED.add(slug(path))
            screenshot(page, slug(path))
