"""Cross-site request forgery in a real browser: another site's page changes nothing.

The other site is served from another loopback port: another origin, but the same site,
so Chromium sends the session cookie with its form posts (SameSite=Lax does not stop
them). Only the token of the app's own pages does.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Complaint, Department
from tests.helpers import complaint_body, department_id

REFUSED = "该请求没有携带本系统页面的安全令牌"


class OtherSite(BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self):
        body = self.pages.get(self.path, "").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def other_site():
    """``other_site(path, html)`` → the URL of a page another site serves."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), OtherSite)
    thread = threading.Thread(target=server.serve_forever, name="other-site", daemon=True)
    thread.start()

    def serve(path: str, html: str) -> str:
        OtherSite.pages[path] = f"<!doctype html><html><body>{html}</body></html>"
        return f"http://127.0.0.1:{server.server_port}{path}"

    yield serve
    server.shutdown()
    thread.join()
    server.server_close()


def auto_post(action: str, fields: dict[str, str], enctype: str = "application/x-www-form-urlencoded") -> str:
    inputs = "".join(f'<input type="hidden" name="{name}" value=\'{value}\'>' for name, value in fields.items())
    submit = "<script>document.forms[0].submit()</script>"
    return f'<form method="post" action="{action}" enctype="{enctype}">{inputs}</form>{submit}'


def api_token(live_app, username: str) -> dict:
    client = live_app.test_client()
    login = {"username": username, "password": "demo", "provider": "db"}
    return {"Authorization": f"Bearer {client.post('/api/v1/security/login', json=login).get_json()['access_token']}"}


def test_another_sites_form_and_delete_link_change_nothing_for_the_administrator(
    live_app, live_server, other_site, page_as
):
    client = live_app.test_client()
    department = client.post(
        "/api/v1/department/",
        json={"code": "CSRF-E2E", "name": "跨站演练部", "kind": "room"},
        headers=api_token(live_app, "admin"),
    ).get_json()["id"]
    with live_app.app_context():
        sm = live_app.appbuilder.sm
        user = sm.add_user(
            "csrf-e2e", "Csrf", "Victim", "csrf-e2e@example.com", sm.find_role("Frontline"), "Victim-pass-1"
        )
        user_id = user.id
        db.session.remove()
    page = page_as("admin")

    page.goto(other_site("/prize", auto_post(f"{live_server}/departments/delete/{department}", {"delete": "1"})))
    page.wait_for_url(f"{live_server}/departments/delete/{department}")
    expect(page.locator("body")).to_contain_text(REFUSED)

    page.goto(other_site("/news", f'<a id="read" href="{live_server}/users/delete/{user_id}">read</a>'))
    page.click("#read")
    page.wait_for_url(f"{live_server}/users/delete/{user_id}")
    expect(page.locator("body")).to_contain_text("405")

    with live_app.app_context():
        assert db.session.get(Department, department) is not None
        assert sm.get_user_by_id(user_id) is not None
        db.session.remove()

    # The administrator's own list still deletes: its button posts the page's token.
    page.goto("/departments/list/?_flt_0_code=CSRF-E2E")
    page.locator('a[id^="btn-delete-"]').click()
    page.click("#modal-confirm-ok")
    expect(page.locator(".alert-success")).to_be_visible()
    with live_app.app_context():
        assert db.session.get(Department, department) is None


def test_another_sites_forms_change_no_complaint_for_the_agent(live_app, live_server, other_site, page_as):
    headers = api_token(live_app, "agent1")
    client = live_app.test_client()
    body = complaint_body(live_app, topic="跨站表单演练")
    complaint = client.post("/api/v1/complaint/", json=body, headers=headers).get_json()["id"]
    with live_app.app_context():
        complaints = db.session.query(Complaint).count()
        db.session.remove()
    page = page_as("agent1")

    dispatch = {"department": str(department_id(live_app, "NET")), "note": "伪造派单"}
    page.goto(other_site("/dispatch", auto_post(f"{live_server}/complaints/act/{complaint}/dispatch", dispatch)))
    page.wait_for_url(f"{live_server}/complaints/act/{complaint}/dispatch")
    expect(page.locator("body")).to_contain_text(REFUSED)

    # A JSON body smuggled in a plain-text form, at the API the pages' session reaches.
    smuggled = {'{"channel": "hotline_10086", "topic": "伪造", "x": "': '"}'}
    page.goto(other_site("/api", auto_post(f"{live_server}/api/v1/complaint/", smuggled, enctype="text/plain")))
    page.wait_for_url(f"{live_server}/api/v1/complaint/")
    expect(page.locator("body")).to_contain_text('"message"')

    with live_app.app_context():
        assert db.session.get(Complaint, complaint).status == "received"
        assert db.session.query(Complaint).count() == complaints
