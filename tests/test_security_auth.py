"""Authentication: the password policy, the sign-in rate limit, session cookies, token lifetimes."""

import importlib
import time
from datetime import timedelta

import jwt
import pytest
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from redis import Redis

import config
from app.extensions import appbuilder
from app.web_security import check_password
from config import ProdConfig, TestConfig
from tests.helpers import csrf_token_in

PASSWORD = TestConfig.DEMO_PASSWORD
GOOD_PASSWORD = "Dongguan-10086"


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("demo", False),  # the demo users' password: set by the seed, refused in every form
        ("Abc-123", False),  # three kinds, but 7 characters
        ("complaints10086", False),  # 15 characters, two kinds
        ("Complaint10", True),  # 11 characters: capitals, lower case, digits
        ("投诉处理系统2026ab", True),  # Chinese counts as symbols
        (GOOD_PASSWORD, True),
    ],
)
def test_passwords_need_ten_characters_of_three_kinds(app, password, accepted):
    with app.app_context():
        if accepted:
            check_password(password)
        else:
            with pytest.raises(PasswordComplexityValidationError, match="10"):
                check_password(password)


@pytest.fixture
def new_user(app):
    """A front-line user made as the seed makes the demo users: with the password "demo"."""
    with app.app_context():
        sm = appbuilder.sm
        sm.add_user("pwcheck", "测", "试", "pwcheck@dg.example.com", sm.find_role("Frontline"), password=PASSWORD)
    return "pwcheck"


def sign_in(client, username, password):
    return client.post("/login/", data={"username": username, "password": password}, query_string={"_l_": "en"})


def test_the_seed_sets_demo_passwords_the_forms_refuse(app, new_user):
    client = app.test_client()
    assert sign_in(client, new_user, PASSWORD).headers["Location"] == "/"
    refused = client.post("/resetmypassword/form", data={"password": "demo2", "conf_password": "demo2"})
    assert refused.status_code == 200
    assert "10" in refused.get_data(as_text=True)
    changed = client.post("/resetmypassword/form", data={"password": GOOD_PASSWORD, "conf_password": GOOD_PASSWORD})
    assert changed.status_code == 302
    client.post("/logout/")
    assert sign_in(client, new_user, PASSWORD).headers["Location"].startswith("/login/")
    assert sign_in(client, new_user, GOOD_PASSWORD).headers["Location"] == "/"


def test_the_administrator_cannot_give_a_new_user_a_weak_password(app, login):
    form = {
        "first_name": "测",
        "last_name": "试",
        "username": "weak1",
        "email": "weak1@dg.example.com",
        "active": "y",
        "roles": "1",
        "password": "demo",
        "conf_password": "demo",
    }
    response = login("admin").web.post("/users/add", data=form)
    assert response.status_code == 200
    with app.app_context():
        assert appbuilder.sm.find_user(username="weak1") is None


# -- sign-in rate limit -----------------------------------------------------------------


def limited_app(app, redis_url, storage_uri=None):
    """Another app on the suite's database, with the sign-in limit on: 3 a minute."""
    from app import create_app

    settings = {"RATELIMIT_ENABLED": True, "AUTH_RATE_LIMIT": "3 per minute", "TRUSTED_PROXIES": 1}
    if storage_uri:
        settings["RATELIMIT_STORAGE_URI"] = storage_uri
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database, REDIS_URL=redis_url, **settings)


@pytest.fixture(scope="module")
def limited(app, redis_url):
    """Counting in the suite's Redis."""
    return limited_app(app, redis_url)


@pytest.fixture(scope="module")
def limited_without_redis(app, redis_url, tmp_path_factory):
    """Its limiter's Redis down: nothing listens on the socket."""
    return limited_app(app, redis_url, f"redis+unix://{tmp_path_factory.mktemp('down')}/redis.sock")


def api_sign_in(client, password, **kwargs):
    body = {"username": "agent1", "password": password, "provider": "db"}
    return client.post("/api/v1/security/login", json=body, **kwargs)


def test_the_fourth_sign_in_a_minute_is_refused_even_with_the_right_password(limited):
    client = limited.test_client()
    for _ in range(3):
        assert sign_in(client, "agent1", "wrong").headers["Location"].startswith("/login/")
    refused = sign_in(client, "agent1", PASSWORD)
    assert refused.status_code == 302
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Too many sign-in attempts" in page
    assert client.get("/users/userinfo/").status_code == 302  # not signed in


def test_behind_a_proxy_each_client_address_has_its_own_limit(limited):
    client = limited.test_client()
    office, elsewhere = ({"X-Forwarded-For": address} for address in ("192.0.2.10", "198.51.100.7"))
    for name in ("agent2", "room1", "nobody"):  # one failure per name: the office's address is what is counted
        body = {"username": name, "password": "wrong", "provider": "db"}
        assert client.post("/api/v1/security/login", json=body, headers=office).status_code == 401
    assert api_sign_in(client, PASSWORD, headers=office).status_code == 429
    assert api_sign_in(client, PASSWORD, headers=elsewhere).status_code == 200


def test_the_api_token_endpoint_has_the_same_limit(limited, redis_url):
    client = limited.test_client()
    for _ in range(3):
        assert api_sign_in(client, "wrong").status_code == 401
    refused = api_sign_in(client, PASSWORD)
    assert refused.status_code == 429
    assert refused.get_json()["message"]
    assert Redis.from_url(redis_url).keys("LIMITS:*")  # counted where every web process sees it


# -- the limit of the configuration people run -------------------------------------------

WRONG = "wrong-password"


@pytest.fixture(scope="module")
def development_app(app, redis_url):
    """The app as `python run.py` builds it (DevConfig: CSRF on, the default limit), on the suite's database, Redis."""
    from app import create_app
    from config import DevConfig

    assert DevConfig.RATELIMIT_ENABLED and DevConfig.AUTH_RATE_LIMIT == "10 per minute"
    return create_app(
        DevConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        SECRET_KEY=app.config["SECRET_KEY"],
    )


def from_address(flask_app, address):
    client = flask_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def form_sign_in(client, username, password):
    """The sign-in form as a browser sends it, with the page's CSRF token."""
    page = client.get("/login/", query_string={"_l_": "en"}).get_data(as_text=True)
    token = csrf_token_in(page)
    form = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login/", data=form, query_string={"_l_": "en"})


def signed_in(client) -> bool:
    return client.get("/users/userinfo/").status_code == 200


def test_by_default_the_form_refuses_the_right_password_after_ten_failures(development_app):
    client = from_address(development_app, "192.0.2.1")
    for _ in range(10):
        response = form_sign_in(client, "agent1", WRONG)
        assert "Invalid login" in client.get(response.headers["Location"]).get_data(as_text=True)
    refused = form_sign_in(client, "agent1", PASSWORD)
    assert "Too many sign-in attempts" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert not signed_in(client)


def test_by_default_the_api_answers_429_after_ten_failures(development_app):
    client = from_address(development_app, "192.0.2.2")
    for _ in range(10):
        assert api_sign_in(client, WRONG).status_code == 401
    refused = api_sign_in(client, PASSWORD)
    assert refused.status_code == 429
    assert "登录尝试次数过多" in refused.get_json()["message"]  # Chinese, the default


def test_the_limit_counts_a_user_name_case_folded_on_every_address_and_process(app, development_app):
    """Five failures as "Agent1" on the form of one process, five as "AGENT1" on the API of another,
    from two addresses: agent1 is refused from a third address; that address itself is not."""
    for _ in range(5):
        form_sign_in(from_address(development_app, "192.0.2.11"), "Agent1", WRONG)
        body = {"username": "AGENT1", "password": WRONG, "provider": "db"}
        assert from_address(app, "192.0.2.12").post("/api/v1/security/login", json=body).status_code == 401
    third = from_address(development_app, "192.0.2.13")
    assert api_sign_in(third, PASSWORD).status_code == 429
    refused = form_sign_in(third, "agent1", PASSWORD)
    assert "Too many sign-in attempts" in third.get(refused.headers["Location"]).get_data(as_text=True)
    body = {"username": "agent2", "password": PASSWORD, "provider": "db"}
    assert third.post("/api/v1/security/login", json=body).status_code == 200


def test_successful_sign_ins_are_not_counted(app):
    """An office behind one address signs in at 08:00: only failures count."""
    client = app.test_client()
    for _ in range(15):
        assert api_sign_in(client, PASSWORD).status_code == 200


def test_past_the_limit_the_right_password_waits_for_the_window(app, redis_url):
    from app import create_app

    short = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=redis_url,
        AUTH_RATE_LIMIT="3 per 2 seconds",
    )
    client = from_address(short, "192.0.2.21")
    for _ in range(3):
        assert api_sign_in(client, WRONG).status_code == 401
    assert api_sign_in(client, PASSWORD).status_code == 429
    time.sleep(1)
    assert api_sign_in(client, PASSWORD).status_code == 429
    time.sleep(1.2)
    assert api_sign_in(client, PASSWORD).status_code == 200


def test_with_redis_down_sign_in_works_and_is_limited_in_memory(limited_without_redis):
    client = limited_without_redis.test_client()
    assert api_sign_in(client, PASSWORD).status_code == 200
    assert sign_in(client, "agent1", PASSWORD).headers["Location"] == "/"
    assert client.get("/complaints/list/").status_code == 200
    for _ in range(3):
        assert api_sign_in(client, "wrong").status_code == 401
    assert api_sign_in(client, PASSWORD).status_code == 429


# -- cookies and tokens -----------------------------------------------------------------


def session_cookie(response) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))


def test_the_session_cookie_is_http_only_and_same_site(app):
    cookie = session_cookie(sign_in(app.test_client(), "agent1", PASSWORD))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a trial run on http://127.0.0.1 must work


def test_in_production_the_session_cookie_is_secure_and_https_is_pinned(app, monkeypatch):
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "HSTS_MAX_AGE"):
        monkeypatch.setitem(app.config, name, getattr(ProdConfig, name))
    response = sign_in(app.test_client(), "agent1", PASSWORD)
    assert "Secure" in session_cookie(response)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def claims(app, token):
    return jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])


def test_tokens_live_an_hour_and_refresh_tokens_a_working_day(app):
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": "agent1", "password": PASSWORD, "provider": "db", "refresh": True},
    )
    access, refresh = (claims(app, response.get_json()[key]) for key in ("access_token", "refresh_token"))
    assert access["exp"] - access["iat"] == 3600
    assert refresh["exp"] - refresh["iat"] == 8 * 3600


def test_an_expired_token_is_refused(app):
    from flask_jwt_extended import create_access_token

    with app.app_context():
        user = appbuilder.sm.find_user(username="agent1")
        token = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-1))
    response = app.test_client().get("/api/v1/complaint/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_token_accepted_before_is_refused_once_it_expires(app):
    """The process remembers the tokens it verified (app.security.RememberingJWTManager), up to their expiry."""
    from flask_jwt_extended import create_access_token

    with app.app_context():
        user = appbuilder.sm.find_user(username="agent1")
        token = create_access_token(identity=str(user.id), fresh=True, expires_delta=timedelta(seconds=2))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/complaint/", headers=headers).status_code == 200
    assert client.get("/api/v1/complaint/", headers=headers).status_code == 200  # remembered
    time.sleep(2.1)
    response = client.get("/api/v1/complaint/", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.get_json()["msg"].lower()


def test_a_token_altered_after_one_was_accepted_is_refused(app, login):
    token = login("agent1").token
    client = app.test_client()
    assert client.get("/api/v1/complaint/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")])
    response = client.get("/api/v1/complaint/", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 422


@pytest.mark.parametrize(("name", "value"), [("JWT_ACCESS_TOKEN_EXPIRES", "86400"), ("JWT_REFRESH_TOKEN_EXPIRES", "0")])
def test_token_lifetimes_beyond_their_bounds_stop_the_app(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    try:
        with pytest.raises(RuntimeError, match=name):
            importlib.reload(config)
    finally:
        monkeypatch.undo()
        importlib.reload(config)
