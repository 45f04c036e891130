"""Small helpers shared by the tests: ids of demo rows, a valid complaint body, a browser-like client."""

import hashlib
import os
import re

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import Headers

from app.extensions import db
from app.models import Category, Complaint, Department


class BrowserClient(FlaskClient):
    """A test client that sends the CSRF token with every change, as the app's pages do.

    The token is the one the app's pages hold for this client's session (Flask-WTF keeps it
    in the session and signs it into each page). A request with a bearer token, or from a
    client without cookies, needs none.
    ``csrf=False`` sends a change without it, as a form on another site would.
    """

    UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

    def open(self, *args, csrf: bool = True, **kwargs):
        headers = Headers(kwargs.get("headers"))
        unsafe = kwargs.get("method", "GET").upper() in self.UNSAFE
        if csrf and unsafe and "Authorization" not in headers and self._cookies is not None:
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The session's token, signed as Flask-WTF's ``generate_csrf`` signs it into a page."""
        config = self.application.config
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with self.session_transaction() as session:
            if field not in session:
                session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = session[field]
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.application.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def seeded_app(database: str, config=None, **settings):
    """An app on a fresh ``database``: tables, roles and permissions, the demo data.
    ``config`` is the settings class (the suite's TestConfig unless given)."""
    from flask_appbuilder import Model

    from app import create_app
    from app.demo import seed
    from app.setup import sync_permissions
    from config import TestConfig

    app = create_app(config or TestConfig, SQLALCHEMY_DATABASE_URI=database, **settings)
    with app.app_context():
        Model.metadata.drop_all(db.engine)
        Model.metadata.create_all(db.engine)
        sync_permissions()
        seed()
        db.session.remove()
    return app


def department_id(app, code: str) -> int:
    with app.app_context():
        return db.session.query(Department.id).filter_by(code=code).scalar()


def category_id(app, code: str = "network_coverage") -> int:
    with app.app_context():
        return db.session.query(Category.id).filter_by(code=code).scalar()


def complaint_body(app, **changes) -> dict:
    body = {
        "channel": "hotline_10086",
        "category": category_id(app),
        "topic": "家中信号差",
        "summary": "客户反映家中室内无信号,无法接听电话。",
        "customer_phone": "13800138000",
    }
    body.update(changes)
    return body


def complaint_count(app) -> int:
    with app.app_context():
        return db.session.query(Complaint).count()


def new_complaint(app, client) -> int:
    """A complaint recorded through the API by ``client``."""
    return client.post("/api/v1/complaint/", json=complaint_body(app)).get_json()["id"]


def change_with_notice(app, complaint_id: int, key: str = "dispatch:test", department: str = "NET"):
    """A change and its notice in one transaction, as a feature makes them: a dispatch to ``department``."""
    from app import notices, recipients

    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        target = db.session.query(Department).filter_by(code=department).one()
        complaint.responsible_department = target
        outbox_id = notices.notify(
            "dispatch",
            recipients.departments([target.id]),
            {
                "complaint": notices.complaint_context(complaint),
                "department": target.name,
                "note": "请核查",
                "by": "陈晓敏",
            },
            key,
            complaint=complaint,
        )
        db.session.commit()
        return outbox_id


def outbox_row(app, outbox_id: int) -> dict:
    from app.models import Outbox

    with app.app_context():
        notice = db.session.get(Outbox, outbox_id)
        return {column.name: getattr(notice, column.name) for column in Outbox.__table__.columns}


def run_worker(app) -> None:
    """Run an RQ worker in this process until the queue is empty (the ``work`` fixture's):
    it writes the queued notices' subjects and bodies."""
    from rq import SimpleWorker

    from app import queue
    from workers import jobs

    jobs.use_app(app)
    with app.app_context():
        connection = queue.connection()
    SimpleWorker([queue.QUEUE_NAME], connection=connection).work(burst=True)


def queued_jobs(app) -> list[str]:
    from app import queue

    with app.app_context():
        return queue.queue().job_ids


def sibling_database(folder, suffix: str, fresh: bool = False) -> str:
    """A database of a test's own beside the suite's: a SQLite file in ``folder``, or
    ``<name>_<suffix>`` on the PostgreSQL server ``DATABASE_URL`` names (created when missing,
    or anew when ``fresh``)."""
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from config import database_url

    main = os.environ.get("DATABASE_URL")
    if not main:
        return f"sqlite:///{folder / f'{suffix}.db'}"
    url = make_url(database_url(main))
    url = url.set(database=f"{url.database}_{suffix}")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if fresh:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    return url.render_as_string(hide_password=False)


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form of a page, as a browser would send it."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
