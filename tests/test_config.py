"""Settings come from the environment; production refuses to start unsafely."""

import importlib
from datetime import UTC

import pytest

import config
from app import clock


def reload_config(monkeypatch, **environment):
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return importlib.reload(config)


@pytest.fixture(autouse=True)
def _restore_config():
    yield
    importlib.reload(config)


@pytest.mark.parametrize("secret", [None, "", "short", config.DEVELOPMENT_SECRET_KEY])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, secret):
    settings = reload_config(monkeypatch, SECRET_KEY=secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        settings.config_for("production")


def test_production_starts_with_a_real_secret_key(monkeypatch):
    settings = reload_config(monkeypatch, SECRET_KEY="x" * 40)
    production = settings.config_for("production")
    assert production.SESSION_COOKIE_SECURE is True
    assert production.SECRET_KEY == "x" * 40


def test_development_is_the_default_and_needs_no_setup(monkeypatch):
    settings = reload_config(monkeypatch, APP_ENV=None, SECRET_KEY=None, DATABASE_URL=None, REDIS_URL=None)
    development = settings.config_for()
    assert development.APP_ENV == "development"
    assert development.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert development.SQLALCHEMY_DATABASE_URI.endswith("instance/complaints.db")
    assert development.REDIS_URL is None
    assert development.APP_TIMEZONE == "Asia/Shanghai"


def test_an_unknown_environment_name_is_an_error(monkeypatch):
    with pytest.raises(RuntimeError, match="APP_ENV"):
        config.config_for("staging")


def test_every_setting_of_the_api_is_read_from_the_environment(monkeypatch):
    settings = reload_config(
        monkeypatch,
        DATABASE_URL="postgresql://user@db.internal:5432/complaints",
        REDIS_URL="redis://cache:6379/2",
        MAIL_SERVER="smtp.internal",
        MAIL_PORT="587",
        MAIL_USE_TLS="true",
        MAIL_USE_SSL="0",
        MAIL_USERNAME="notices",
        MAIL_PASSWORD="secret",
        MAIL_DEFAULT_SENDER="complaints@dg.example.com",
        APP_TIMEZONE="Asia/Urumqi",
        DEMO_PASSWORD="trial",
        PORT="9000",
    )
    base = settings.Config
    assert base.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://user@db.internal:5432/complaints"
    assert base.REDIS_URL == "redis://cache:6379/2"
    assert (base.MAIL_SERVER, base.MAIL_PORT, base.MAIL_USE_TLS, base.MAIL_USE_SSL) == (
        "smtp.internal",
        587,
        True,
        False,
    )
    assert (base.MAIL_USERNAME, base.MAIL_PASSWORD) == ("notices", "secret")
    assert base.MAIL_DEFAULT_SENDER == "complaints@dg.example.com"
    assert (base.APP_TIMEZONE, base.DEMO_PASSWORD, base.PORT) == ("Asia/Urumqi", "trial", 9000)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-28T09:30:00+08:00", "2026-11-28T01:30:00+00:00"),
        ("2026-11-28T09:30:00", "2026-11-28T01:30:00+00:00"),  # no offset: Asia/Shanghai
        ("2026-11-28T01:30:00Z", "2026-11-28T01:30:00+00:00"),
        ("2026-11-28 09:30", "2026-11-28T01:30:00+00:00"),
    ],
)
def test_times_without_an_offset_are_local(text, utc):

    assert clock.parse_time(text).astimezone(UTC).isoformat() == utc
