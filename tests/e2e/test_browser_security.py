"""The Content-Security-Policy in a real browser: every page works under it, markup stays text."""

import pytest

from tests.helpers import complaint_body
from tests.test_api_refund import refund_type_id

TOPIC = "<script>alert(1)</script>"

# Reports what the policy blocks, as the page runs.
WATCH_POLICY = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation", (event) =>
  window.__blocked.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`));
"""


def file_hostile(live_app) -> dict[str, int]:
    """A complaint whose topic is a script, and a refund on it waiting for a room manager."""
    client = live_app.test_client()
    login = {"username": "agent1", "password": "demo", "provider": "db"}
    token = client.post("/api/v1/security/login", json=login).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = complaint_body(live_app, topic=TOPIC, summary='=HYPERLINK("http://x")', customer_prepaid=False)
    complaint = client.post("/api/v1/complaint/", json=body, headers=headers).get_json()["id"]
    refund = {
        "complaint": complaint,
        "amount": "80.00",
        "refund_type": refund_type_id(live_app, "billing_error"),
        "liability": "yes",
    }
    refund_id = client.post("/api/v1/refund/", json=refund, headers=headers).get_json()["id"]
    return {"complaint": complaint, "refund": refund_id}


@pytest.fixture(scope="module")
def hostile(live_app):
    return file_hostile(live_app)


def watched(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.add_init_script(WATCH_POLICY)
    return errors


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("agent1", ["/", "/complaints/list/", "/complaints/show/{complaint}", "/complaints/add", "/refunds/add"]),
        ("room1", ["/refund-inbox/list/", "/refund-inbox/decide/{refund}", "/refund-monitoring/"]),
        ("leader1", ["/audit/list/", "/outbox/list/"]),
        ("admin", ["/users/list/", "/users/add", "/departments/add", "/monitoring-thresholds/add", "/swagger/v1"]),
    ],
)
def test_every_page_works_under_the_policy(page_as, hostile, username, paths):
    page = page_as(username)
    errors = watched(page)
    for path in paths:
        page.goto(path.format(**hostile))
        page.wait_for_load_state("networkidle")
        if page.locator(".select2").count():
            page.locator(".select2").first.click()  # the scripts run, not merely load
            page.keyboard.press("Escape")
        assert page.evaluate("window.__blocked") == [], path
    assert errors == []


def test_a_script_in_a_topic_is_shown_not_run(page_as, hostile):
    page = page_as("agent1")
    errors = watched(page)
    page.goto(f"/complaints/show/{hostile['complaint']}")
    assert TOPIC in page.locator("body").inner_text()
    assert errors == []


def test_the_inbox_still_asks_before_a_decision(page_as, live_app):
    refund = file_hostile(live_app)["refund"]
    page = page_as("room1")
    page.goto(f"/refund-inbox/decide/{refund}")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("button[value=approve]")
    page.wait_for_timeout(300)
    assert "/refund-inbox/decide/" in page.url  # declined: nothing sent
    page.fill("#note", "非公司原因,已向客户解释")  # a rejection gives its reason
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.click("button[value=reject]")
    page.wait_for_url("**/refund-inbox/list/")
    assert len(questions) == 2
