"""Browser fixtures: the app served on a free port, driven by Debian's Chromium.

The served app has its own database (a SQLite file in a temporary folder, or a
``<name>_e2e`` PostgreSQL database beside the one ``DATABASE_URL`` names), seeded
with the demo data once per session: the rest of the suite, in the same process,
keeps its own. Rows a test adds stay until the session ends, so each test uses
values of its own (a distinct topic). Every test gets a fresh browser context:
no cookie or login leaks from one test into the next.

A test asks for the pages it needs and says what a person sees on them; the
steps a person takes (sign in, open a menu, fill a form) are in ``pages.py``::

    def test_leadership_opens_the_audit_log(page_as, screenshot):
        page = page_as("leader1")               # signed in through the login form
        open_menu(page, "审计日志")
        expect(page.locator(".panel-title").first).to_have_text("审计日志")
        screenshot(page, "audit-log")           # docs/screens/audit-log.png

``new_page(locale=...)`` gives a page nobody is signed in to; ``live_app`` is the
served app, for arranging data through its API or database.
"""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.e2e.pages import log_in
from tests.helpers import seeded_app, sibling_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
VIEWPORT = {"width": 1280, "height": 800}
# Auto-waiting gives up after this long (ms): the pages are local and small.
TIMEOUT = 10_000
expect.set_options(timeout=TIMEOUT)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The served app, with the demo data; its instance folder (and so its embedded Redis) is temporary."""
    from app.extensions import db

    folder = tmp_path_factory.mktemp("e2e")
    served = seeded_app(sibling_database(folder, "e2e"), REDIS_URL=None)
    served.instance_path = str(folder)
    yield served
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request in the test output; errors are still logged."""

    def log_request(self, code="-", size="-") -> None:
        pass


@pytest.fixture(scope="session")
def live_server(live_app):
    """The app served by werkzeug in a background thread; its root URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (or apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(locale=...)`` → a page in a fresh context (no cookies), closed after the test."""
    contexts = []

    def make(locale: str = "zh-CN") -> Page:
        context = browser.new_context(
            base_url=live_server, viewport=VIEWPORT, locale=locale, timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page_as(new_page):
    """``page_as("agent1")`` → a page signed in as that demo user."""

    def make(username: str) -> Page:
        return log_in(new_page(), username)

    return make


@pytest.fixture
def page(new_page) -> Page:
    """A page nobody is signed in to."""
    return new_page()


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory):
    """``screenshot(page, "name")`` saves the whole page as name.png.

    ``make screens`` (SCREENSHOTS=1) writes them to docs/screens/; an ordinary run
    writes them to a temporary folder, so the documented ones change only on purpose.
    """
    folder = SCREENS if os.environ.get("SCREENSHOTS") == "1" else tmp_path_factory.mktemp("screens")
    folder.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        return path

    return save
