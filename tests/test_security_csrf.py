"""Cross-site request forgery: no change made with the session cookie without the page's token.

The app under test runs the development settings (`make run`, `python run.py`), on the
suite's database; only the sign-in limit is off, as these tests sign in more often than
it allows. Another site can make a signed-in browser post a form or open a link, with
the session cookie but without the token of the app's pages (``csrf=False`` below):
every route that changes something refuses that with a readable 400 and changes nothing,
and no delete answers a GET. A request with a bearer token (a system calling the API)
needs no page token.
"""

import re

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Complaint, Department
from config import DevConfig
from tests.conftest import PASSWORD
from tests.helpers import complaint_body, complaint_count, csrf_token_in, department_id
from tests.test_access_matrix import fingerprint

CHANGES = {"POST", "PUT", "PATCH", "DELETE"}
REFUSED = "did not carry the security token of a page of this system"
ENGLISH = {"_l_": "en"}


@pytest.fixture(scope="module")
def default_app(app, redis_url):
    from app import create_app

    return create_app(
        DevConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        ATTACHMENT_FOLDER=app.config["ATTACHMENT_FOLDER"],
        RATELIMIT_ENABLED=False,
        SECRET_KEY=app.config["SECRET_KEY"],
    )


def page_token(browser, url: str) -> str:
    """The token in the page's form, as a browser has it."""
    page = browser.get(url).get_data(as_text=True)
    return csrf_token_in(page)


def signed_in(default_app, username):
    """A browser signed in through the sign-in form."""
    browser = default_app.test_client()
    form = {"username": username, "password": PASSWORD, "csrf_token": page_token(browser, "/login/")}
    response = browser.post("/login/", data=form, csrf=False)
    assert response.status_code == 302, f"sign-in of {username} failed"
    return browser


def bearer(default_app, username):
    """A system with an API token and no cookie."""
    client = default_app.test_client(use_cookies=False)
    response = client.post(
        "/api/v1/security/login", json={"username": username, "password": PASSWORD, "provider": "db"}
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}, client


def user_count():
    return db.session.scalar(select(func.count(User.id)))


def url_for_rule(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if type(converter).__name__ in ("IntegerConverter", "NumberConverter") else "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_configuration_checks_the_token(monkeypatch):
    import config as settings  # as loaded now: other tests reload the module with other settings

    monkeypatch.delenv("APP_ENV", raising=False)
    assert settings.config_for() is settings.DevConfig  # what `make run` (python run.py) uses
    for config in (settings.Config, settings.DevConfig, settings.TestConfig, settings.ProdConfig):
        assert config.WTF_CSRF_ENABLED is True, config


def test_every_route_that_changes_something_refuses_a_request_without_the_token(app, default_app):
    """From the URL map, as another site would send it: the cookie, no token → 400, nothing changed."""
    browser = signed_in(default_app, "admin")
    before = fingerprint(app)
    with app.app_context():
        users = user_count()
    wrong, tried = [], 0
    for rule in default_app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & CHANGES):
            url = url_for_rule(rule)
            api = url.startswith("/api/")
            body = {"json": {}} if api else {"data": {"name": "x", "decision": "approve", "text": "x"}}
            response = browser.open(url, method=method, query_string=ENGLISH, csrf=False, **body)
            tried += 1
            text = (
                response.get_json().get("message", "") if api and response.is_json else response.get_data(as_text=True)
            )
            if response.status_code != 400 or REFUSED not in text:
                wrong.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert tried > 60
    assert fingerprint(app) == before
    with app.app_context():
        assert user_count() == users


def test_no_delete_or_row_action_of_a_page_answers_a_get(default_app):
    """Flask-AppBuilder's delete (users, departments, every model page) and its row actions."""
    found = [
        rule
        for rule in default_app.url_map.iter_rules()
        if rule.endpoint.rpartition(".")[2] in ("delete", "action") and not rule.rule.startswith("/api/")
    ]
    assert len(found) > 20
    assert "UserDBModelView.delete" in {rule.endpoint for rule in found}
    assert [rule.endpoint for rule in found if "GET" in rule.methods] == []
    browser = signed_in(default_app, "admin")
    assert browser.get(url_for_rule(found[0])).status_code == 405


def test_a_user_is_deleted_only_by_a_post_with_the_token(app, default_app):
    """`GET /users/delete/<id>` once deleted the user; now only the list's form (a POST with the token) does."""
    with app.app_context():
        sm = default_app.appbuilder.sm
        role = sm.find_role("Frontline")
        user = sm.add_user("csrf-victim", "Csrf", "Victim", "csrf-victim@example.com", role, password="Victim-pass-1")
        user_id = user.id
        db.session.remove()
    browser = signed_in(default_app, "admin")

    assert browser.get(f"/users/delete/{user_id}").status_code == 405
    refused = browser.post(f"/users/delete/{user_id}", query_string=ENGLISH, csrf=False)
    assert refused.status_code == 400
    assert REFUSED in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id) is not None
        db.session.remove()

    assert browser.post(f"/users/delete/{user_id}").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id) is None


def test_a_department_is_deleted_only_by_a_post_with_the_token(app, default_app):
    headers, system = bearer(default_app, "admin")
    created = system.post(
        "/api/v1/department/", json={"code": "CSRF-X", "name": "跨站测试部", "kind": "room"}, headers=headers
    )
    assert created.status_code == 201, created.get_json()
    department = created.get_json()["id"]
    browser = signed_in(default_app, "admin")

    assert browser.get(f"/departments/delete/{department}").status_code == 405
    refused = browser.post(f"/departments/delete/{department}", csrf=False)  # in Chinese, the default
    assert refused.status_code == 400
    assert "该请求没有携带本系统页面的安全令牌" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Department, department) is not None
        db.session.remove()
    assert browser.post(f"/departments/delete/{department}").status_code == 302
    with app.app_context():
        assert db.session.get(Department, department) is None


def test_a_page_action_needs_the_token(app, default_app):
    """The complaint page's buttons (here: dispatch) post the token; another site's form does not have it."""
    headers, system = bearer(default_app, "agent1")
    complaint = system.post("/api/v1/complaint/", json=complaint_body(app), headers=headers).get_json()["id"]
    net = str(department_id(app, "NET"))
    browser = signed_in(default_app, "agent1")
    form = {"department": net, "note": "请核查"}

    refused = browser.post(f"/complaints/act/{complaint}/dispatch", data=form, query_string=ENGLISH, csrf=False)
    assert refused.status_code == 400
    assert REFUSED in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Complaint, complaint).status == "received"
        db.session.remove()

    token = page_token(browser, f"/complaints/show/{complaint}")
    done = browser.post(f"/complaints/act/{complaint}/dispatch", data={**form, "csrf_token": token}, csrf=False)
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Complaint, complaint).status == "dispatched"


def test_the_api_with_a_bearer_token_needs_no_page_token(app, default_app):
    headers, system = bearer(default_app, "agent1")
    before = complaint_count(app)
    response = system.post("/api/v1/complaint/", json=complaint_body(app), headers=headers)
    assert response.status_code == 201, response.get_json()
    assert complaint_count(app) == before + 1


def test_an_api_write_made_with_the_session_cookie_needs_the_token(app, default_app):
    browser = signed_in(default_app, "agent1")
    before = complaint_count(app)
    refused = browser.post("/api/v1/complaint/", json=complaint_body(app), query_string=ENGLISH, csrf=False)
    assert refused.status_code == 400
    assert REFUSED in refused.get_json()["message"]
    assert complaint_count(app) == before

    # The page's token in the X-CSRFToken header, as a script of the app's own pages would send it.
    accepted = browser.post("/api/v1/complaint/", json=complaint_body(app))
    assert accepted.status_code == 201, accepted.get_json()
    assert complaint_count(app) == before + 1


def test_a_forged_sign_in_is_refused_and_the_real_form_works(default_app):
    """The sign-in form carries the token too: another site cannot sign a browser in as someone."""
    browser = default_app.test_client()
    browser.get("/login/")
    refused = browser.post("/login/", data={"username": "agent1", "password": PASSWORD}, csrf=False)
    assert refused.status_code == 400
    assert browser.get("/complaints/list/").status_code == 302  # still signed out
    assert signed_in(default_app, "agent1").get("/complaints/list/").status_code == 200


POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def post_forms(client, url: str) -> list[str]:
    response = client.web.get(url)
    assert response.status_code == 200, url
    return POST_FORM.findall(response.get_data(as_text=True))


def test_every_form_of_the_work_pages_carries_the_token(app, login):
    """The pages' own forms (the suite's clients add the token themselves, so look at the markup)."""
    from app.appraisals import draft_criticism
    from app.models import HandlingGroup, Incident
    from tests.test_api_fast import file

    agent, center, room = login("agent1"), login("center1"), login("room1")
    major = file(app, agent, severity="major", major_type="general", topic="令牌检查")["id"]
    for _ in range(3):  # the 3rd same-content complaint of the shift opens an incident (§3.5)
        file(app, agent, topic="令牌检查同内容")
    assert center.web.post("/handling-groups/convene", data={"complaint": str(major)}).status_code == 302
    with app.app_context():
        complaint = db.session.get(Complaint, major)
        draft_criticism(complaint.receiving_department, complaint, "令牌检查", clock.now())
        db.session.commit()
        group = db.session.scalar(select(func.max(HandlingGroup.id)))
        incident = db.session.scalar(select(func.max(Incident.id)))
        db.session.remove()

    forms = {
        "complaint": post_forms(center, f"/complaints/show/{major}"),
        "handling group": post_forms(center, f"/handling-groups/show/{group}"),
        "incident": post_forms(room, f"/incidents/show/{incident}"),
        "appraisals": post_forms(center, "/appraisals/list/"),
        "departments": post_forms(login("admin"), "/departments/list/"),
    }
    assert all(forms.values()), {page: len(found) for page, found in forms.items()}
    without = {page: len([form for form in found if 'name="csrf_token"' not in form]) for page, found in forms.items()}
    assert without == dict.fromkeys(forms, 0)
