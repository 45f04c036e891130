"""Fixtures: one app per test session on a real database, a client per role.

The database is SQLite in a temporary folder, or PostgreSQL when ``DATABASE_URL``
says so (CI runs the suite both ways). The demo organisation is seeded once;
after each test the rows it added are removed again. Redis is real too: the
server at ``REDIS_URL``, or an embedded one started for the session; mail goes
to an SMTP server running in this process (aiosmtpd).
"""

import email
import email.policy
import os
import socket
import tempfile
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import settings
from sqlalchemy import delete, func, select

from config import database_url
from tests.helpers import BrowserClient, seeded_app

_TMP = tempfile.mkdtemp(prefix="complaints-test-")
DATABASE = database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{_TMP}/test.db")
PASSWORD = "demo"

# Property tests and the API fuzz: the same examples on every run, no example database on disk.
settings.register_profile("suite", derandomize=True, database=None, deadline=None)
settings.load_profile("suite")

# CSRF protection is on in the suite as in use: every test client sends the page's token
# with its changes, as the pages do (tests/test_security_csrf.py sends them without).
Flask.test_client_class = BrowserClient


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis for the session: ``REDIS_URL``, or an embedded server."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    from app import queue

    directory = Path(_TMP) / "redis"
    queue.embedded(directory)
    url = f"unix://{directory / queue.SOCKET}"
    yield url
    _shut_down(url)


def _shut_down(redis_url):
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # Without retries: the server hangs up on SHUTDOWN, as it should.
    Redis.from_url(redis_url, retry=Retry(NoBackoff(), 0)).shutdown(nosave=True)


@pytest.fixture(scope="session")
def app(redis_url):
    from app.extensions import db

    app = seeded_app(
        DATABASE, DEMO_PASSWORD=PASSWORD, REDIS_URL=redis_url, ATTACHMENT_FOLDER=str(Path(_TMP) / "attachments")
    )
    with app.app_context():
        app.config["BASELINE_IDS"] = _max_ids(db)
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _max_ids(db):
    from flask_appbuilder import Model

    baseline = {}
    for table in Model.metadata.sorted_tables:
        if "id" in table.c:
            baseline[table.name] = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return baseline


def remove_rows_above(baseline: dict[str, int]) -> None:
    """Delete the rows whose id is above ``baseline`` (table → id) and the day counters (in an app context)."""
    from flask_appbuilder import Model

    from app import reference
    from app.extensions import db
    from app.models import NumberSequence

    with db.engine.begin() as connection:
        for table in reversed(Model.metadata.sorted_tables):
            if table.name in baseline:
                connection.execute(delete(table).where(table.c.id > baseline[table.name]))
        connection.execute(delete(NumberSequence.__table__))
    db.session.remove()
    # The rows went behind the sessions' back: the process's copies of departments and categories too.
    reference.clear()


@pytest.fixture(autouse=True)
def _clean_rows(request):
    """Remove every row a test added (the demo data stays)."""
    yield
    if "app" not in request.fixturenames:
        return

    from app.extensions import db

    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        remove_rows_above(app.config["BASELINE_IDS"])
        from app import queue

        queue.connection().flushdb()


@pytest.fixture
def db_session(app):
    from app.extensions import db

    with app.app_context():
        yield db.session
        db.session.rollback()


class Client:
    """A test client signed in as one user, for the web pages and the API."""

    def __init__(self, app, username):
        self.username = username
        self.web = app.test_client()
        self.api = app.test_client()
        self._token = None
        self._app = app

    def login(self):
        response = self.web.post(
            "/login/", data={"username": self.username, "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 302, f"login of {self.username} failed"
        return self

    @property
    def token(self):
        if self._token is None:
            response = self.api.post(
                "/api/v1/security/login",
                json={"username": self.username, "password": PASSWORD, "provider": "db"},
            )
            assert response.status_code == 200, response.get_json()
            self._token = response.get_json()["access_token"]
        return self._token

    def _call(self, method, url, **kwargs):
        # Messages in English, so that tests read like the code; Chinese is the default.
        kwargs.setdefault("query_string", {}).setdefault("_l_", "en")
        return self.api.open(url, method=method, headers={"Authorization": f"Bearer {self.token}"}, **kwargs)

    def get(self, url, **kwargs):
        return self._call("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self._call("POST", url, **kwargs)

    def put(self, url, **kwargs):
        return self._call("PUT", url, **kwargs)

    def delete(self, url, **kwargs):
        return self._call("DELETE", url, **kwargs)


@pytest.fixture
def login(app):
    """``login("agent1")`` → a Client signed in by form and ready for the API."""
    made = {}

    def make(username):
        if username not in made:
            made[username] = Client(app, username).login()
        return made[username]

    return make


class MailSink:
    """An SMTP server in this process that keeps what it receives, parsed."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages = []
        self.refused = set()  # addresses the server answers 550, as for an unknown mailbox
        self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        """An outage: the port refuses connections until ``start``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def mail_server(app):
    """The app sends real SMTP to a MailSink (Flask-Mail would suppress it under TESTING)."""
    from app.extensions import mail

    sink = MailSink()
    sink.start()
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port, "MAIL_SUPPRESS_SEND": False}
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    mail.init_app(app)
    yield sink
    sink.stop()
    app.config.update(saved)
    mail.init_app(app)


@pytest.fixture
def work(app):
    """``work()`` runs an RQ worker in this process until the queue is empty."""
    from rq import SimpleWorker

    from app import queue
    from workers import jobs

    jobs.use_app(app)

    def run():
        with app.app_context():
            connection = queue.connection()
        SimpleWorker([queue.QUEUE_NAME], connection=connection).work(burst=True)

    return run


class StoppableRedis:
    """A Redis of one test's own, which the test stops (losing its data) and starts again."""

    def __init__(self):
        from app import queue

        self.directory = Path(tempfile.mkdtemp(dir=_TMP))
        self.url = f"unix://{self.directory / queue.SOCKET}"
        self.running = False
        self.start()

    def start(self):
        from app import queue

        queue.embedded(self.directory)
        self.running = True

    def stop(self):
        if self.running:
            _shut_down(self.url)
            self.running = False


@pytest.fixture
def stoppable_redis(app, monkeypatch):
    """The app talks to a StoppableRedis for the test."""
    from app import queue

    redis = StoppableRedis()
    monkeypatch.setitem(app.extensions, "redis", queue.connect(redis.url))
    yield redis
    redis.stop()


@pytest.fixture
def urge_template(app):
    """The id of the urge template, which a test may edit as Admin would; put back afterwards."""
    from app.extensions import db
    from app.models import EmailTemplate

    with app.app_context():
        template = db.session.query(EmailTemplate).filter_by(code="urge").one()
        saved = (template.id, template.subject, template.body)
    yield saved[0]
    with app.app_context():
        template = db.session.get(EmailTemplate, saved[0])
        template.subject, template.body = saved[1:]
        db.session.commit()
