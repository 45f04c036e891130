"""Sign-out ends the session on the server (app.sessions, app.views.sign_out).

A session cookie copied before sign-out, presented afterwards to this process or
another one, opens nothing; sign-out is a POST carrying the CSRF token, and a GET
of /logout/ only asks.
"""

import re

import pytest

from app.sessions import SIGN_IN_ID
from config import DevConfig, TestConfig
from tests.helpers import csrf_token_in

PASSWORD = TestConfig.DEMO_PASSWORD
PAGES = ("/complaints/list/", "/users/userinfo/", "/api/v1/complaint/")


def sign_in(client, username="agent1"):
    response = client.post("/login/", data={"username": username, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    return client


def copy_of(client, flask_app):
    """Another browser holding a copy of ``client``'s session cookie."""
    other = flask_app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def opens(client, page="/complaints/list/") -> bool:
    return client.get(page).status_code == 200


@pytest.fixture(scope="module")
def other_process(app, redis_url):
    """A second web process: the same database, Redis and key, its own memory."""
    from app import create_app

    return create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        SECRET_KEY=app.config["SECRET_KEY"],
    )


def test_a_copy_of_the_session_opens_nothing_after_sign_out_in_any_process(app, other_process):
    browser = sign_in(app.test_client())
    copy_here, copy_there = copy_of(browser, app), copy_of(browser, other_process)
    assert opens(copy_here) and opens(copy_there)

    signed_out = browser.post("/logout/")
    assert signed_out.status_code == 302
    for client in (browser, copy_here, copy_there):
        for page in PAGES[:2]:
            response = client.get(page)
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/login/")


def test_signing_in_again_gives_a_new_session(app):
    browser = sign_in(app.test_client())
    old = copy_of(browser, app)
    browser.post("/logout/")
    sign_in(browser)
    assert opens(browser)
    assert not opens(old)


def test_signing_out_ends_that_session_only(app):
    """The same user at another desk stays signed in."""
    here, elsewhere = sign_in(app.test_client()), sign_in(app.test_client())
    here.post("/logout/")
    assert not opens(here)
    assert opens(elsewhere)


def test_a_get_of_logout_asks_and_signs_no_one_out(app):
    browser = sign_in(app.test_client())
    page = browser.get("/logout/", query_string={"_l_": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<form method="post" action="/logout/"', html)
    assert 'name="csrf_token"' in html
    assert opens(browser)
    assert app.test_client().get("/logout/").headers["Location"].startswith("/login/")  # signed out: sign in


def test_the_navbar_signs_out_by_post_with_the_csrf_token(app):
    html = sign_in(app.test_client()).get("/complaints/list/").get_data(as_text=True)
    assert 'href="/logout/"' not in html
    form = re.search(r'<form method="post" action="/logout/" class="navbar-sign-out">(.*?)</form>', html, re.S)
    assert form and 'name="csrf_token" value="' in form.group(1)


@pytest.fixture(scope="module")
def development_app(app, redis_url):
    """CSRF on, as `python run.py` serves."""
    from app import create_app

    return create_app(
        DevConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        SECRET_KEY=app.config["SECRET_KEY"],
    )


def test_sign_out_needs_the_csrf_token(development_app):
    browser = development_app.test_client()
    login_page = browser.get("/login/").get_data(as_text=True)
    form = {"username": "agent1", "password": PASSWORD, "csrf_token": csrf_token_in(login_page)}
    assert browser.post("/login/", data=form, csrf=False).headers["Location"] == "/"

    assert browser.post("/logout/", csrf=False).status_code == 400  # another site's form: no token
    assert browser.post("/logout/", data={"csrf_token": "forged"}, csrf=False).status_code == 400
    assert opens(browser)

    token = csrf_token_in(browser.get("/complaints/list/").get_data(as_text=True))  # the navbar's form
    assert browser.post("/logout/", data={"csrf_token": token}, csrf=False).status_code == 302
    assert not opens(browser)


def test_a_cookie_without_a_sign_in_id_is_signed_out(app):
    """Cookies signed before sign-ins had ids cannot be ended: they are refused."""
    with app.app_context():
        agent = app.appbuilder.sm.find_user(username="agent1")
        cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": str(agent.id), "_fresh": True})
    client = app.test_client()
    client.set_cookie("session", cookie)
    assert not opens(client)
    browser = sign_in(app.test_client())
    with browser.session_transaction() as session:
        assert session[SIGN_IN_ID]


def test_with_redis_down_the_process_that_signed_out_still_refuses_the_copy(app, tmp_path):
    from app import create_app

    down = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=f"unix://{tmp_path}/nothing.sock",
        SECRET_KEY=app.config["SECRET_KEY"],
    )
    browser = sign_in(down.test_client())
    copy = copy_of(browser, down)
    assert opens(copy)
    assert browser.post("/logout/").status_code == 302
    assert not opens(copy)
