"""Pages speak to people: no "None", no internal code shown raw, people named by their names.

Each role walks every page of its menu (as test_browser_screens.py does) and a complaint's
page, an incident's page, the alert list and the email templates; nothing there may show
the word None, a status, channel or severity code of app/policy/vocabulary.py, or the user
name of a person where the person's name belongs.
"""

import re
from datetime import timedelta

import pytest
from flask_appbuilder import Model
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from app import clock, progress
from app.demo import USERS
from app.extensions import db
from app.models import Complaint, Incident
from app.policy.vocabulary import CHANNELS, SEVERITIES, STATUSES
from tests.conftest import Client
from tests.e2e.test_browser_screens import ONE_OF_EACH_ROLE, menu_pages, shown_texts
from tests.helpers import complaint_body, department_id

TOPIC = "白话页面信号中断"
USERNAMES = {username for username, *_rest in USERS}
CODES = set(STATUSES) | set(CHANNELS) | set(SEVERITIES)
# The columns of the app's tables, as code names them (a word alone, such as topic, is English).
FIELD_NAMES = {
    column.name for table in Model.metadata.tables.values() for column in table.columns if "_" in column.name
}
# The import page states the file's column headings as the file must spell them.
IMPORT_PAGE = "/complaints/import/"
# Pages whose subject is the sign-in names themselves (who may sign in, and as what).
ACCOUNT_PAGES = ("/users/", "/roles/", "/viewmenus/", "/permissions/", "/permissionviews/", "/audit/")


def _word(text: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.@/-]){re.escape(text)}(?![\w.@/-])")


RAW = [
    ("None", _word("None")),
    *[(f"the field {name}", _word(name)) for name in sorted(FIELD_NAMES)],
    ("a code in brackets", re.compile(r"\([a-z_]+\)")),
    *[(code, _word(code)) for code in sorted(CODES)],
]
NAMES = [(username, _word(username)) for username in sorted(USERNAMES)]


@pytest.fixture(scope="module")
def arranged(live_app) -> dict:
    """A hotline wave: agent1's three same-content complaints (an alert to the team leader, an
    incident not yet reported), one of them dispatched, edited and past its progress mail."""
    agent = Client(live_app, "agent1").login()
    ids = []
    for _ in range(3):
        response = agent.post("/api/v1/complaint/", json=complaint_body(live_app, topic=TOPIC))
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    first = ids[0]
    response = agent.put(f"/api/v1/complaint/{first}", json={"summary": "客户补充:晚上八点后完全无信号。"})
    assert response.status_code == 200, response.get_json()
    response = agent.post(f"/api/v1/complaint/{first}/dispatch", json={"department": department_id(live_app, "NET")})
    assert response.status_code == 200, response.get_json()
    with live_app.app_context():
        # The progress mail's scan moves its own clock on the complaint: no change of a person's.
        db.session.execute(
            update(Complaint).where(Complaint.id == first).values(next_progress_at=clock.now() - timedelta(minutes=1))
        )
        db.session.commit()
        progress.send_due(clock.now())
        db.session.commit()
        incident = db.session.scalar(select(Complaint.incident_id).where(Complaint.id == first))
        assert db.session.get(Incident, incident).responsible_department_id is None
        db.session.remove()
    return {"complaint": first, "incident": incident}


def leaks(page: Page, path: str) -> list[str]:
    texts = shown_texts(page, path)
    raw = RAW if not path.startswith(IMPORT_PAGE) else [(code, pattern) for code, pattern in RAW if code in CODES]
    found = [f"{code!r} in {text!r}" for text in texts for code, pattern in raw if pattern.search(text)]
    if not path.startswith(ACCOUNT_PAGES):
        found += [f"{name!r} in {text!r}" for text in texts for name, pattern in NAMES if pattern.search(text)]
    return found


def pages_of(page: Page, arranged: dict) -> list[tuple[str, str]]:
    extra = [
        ("投诉", f"/complaints/show/{arranged['complaint']}"),
        ("事件", f"/incidents/show/{arranged['incident']}"),
        ("预警", "/alerts/list/"),
        ("邮件模板", "/email-templates/list/"),
    ]
    return menu_pages(page) + extra


@pytest.mark.parametrize("username", [*ONE_OF_EACH_ROLE, "teamlead1", "netroom1"])
def test_no_page_shows_none_a_raw_code_or_a_user_name(page_as, arranged, username):
    page = page_as(username)
    seen, shown = [], []
    for label, path in pages_of(page, arranged):
        response = page.goto(path)
        if response.status in (403, 404):  # not this role's page
            continue
        assert response.status == 200, f"{username}: {label} ({path}) answered {response.status}"
        seen.append(path)
        shown += [f"{label} ({path}) shows {found}" for found in leaks(page, path)]
    assert len(seen) > 4, username
    assert not shown, f"{username}: " + "; ".join(shown)


def test_the_timeline_names_what_a_person_changed_and_not_the_scans_clocks(page_as, arranged):
    page = page_as("agent1")
    page.goto(f"/complaints/show/{arranged['complaint']}")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("投诉内容")  # the summary agent1 edited, by its label
    expect(timeline).not_to_contain_text("next_progress_at")
    expect(timeline).not_to_contain_text("progress_sent")
    expect(timeline).not_to_contain_text("summary")


def test_the_alert_list_names_the_team_leader(page_as, arranged):
    page = page_as("teamlead1")
    page.goto("/alerts/list/")
    row = page.locator("table tr", has_text="同内容")
    expect(row.first).to_contain_text("黄志强")
    expect(page.locator("table.table-bordered")).not_to_contain_text("teamlead1")


def test_email_templates_are_listed_by_their_names_alone(page_as):
    page = page_as("admin")
    page.goto("/email-templates/list/")
    table = page.locator("table.table-bordered")
    expect(table).to_contain_text("预警")
    expect(table).not_to_contain_text("(alert)")
