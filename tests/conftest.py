"""Fixtures: one app per test session on a real database, a client per role.

The database is SQLite in a temporary folder, or PostgreSQL when ``DATABASE_URL``
says so (CI runs the suite both ways). The demo organisation is seeded once;
after each test the rows it added are removed again.
"""

import os
import tempfile

import pytest
from sqlalchemy import delete, func, select

from config import TestConfig, database_url

_TMP = tempfile.mkdtemp(prefix="complaints-test-")
DATABASE = database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{_TMP}/test.db")
PASSWORD = "demo"


@pytest.fixture(scope="session")
def app():
    from flask_appbuilder import Model

    from app import create_app
    from app.demo import seed
    from app.extensions import db
    from app.setup import sync_permissions

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=DATABASE, DEMO_PASSWORD=PASSWORD)
    with app.app_context():
        Model.metadata.drop_all(db.engine)
        Model.metadata.create_all(db.engine)
        sync_permissions()
        seed()
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


@pytest.fixture(autouse=True)
def _clean_rows(request):
    """Remove every row a test added (the demo data stays)."""
    yield
    if "app" not in request.fixturenames:
        return
    from flask_appbuilder import Model

    from app.extensions import db
    from app.models import NumberSequence

    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        baseline = app.config["BASELINE_IDS"]
        with db.engine.begin() as connection:
            for table in reversed(Model.metadata.sorted_tables):
                if table.name in baseline:
                    connection.execute(delete(table).where(table.c.id > baseline[table.name]))
            connection.execute(delete(NumberSequence.__table__))
        db.session.remove()


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
