"""Small helpers shared by the tests: ids of demo rows, a valid complaint body."""

from app.extensions import db
from app.models import Category, Complaint, Department


def seeded_app(database: str, **config):
    """An app on a fresh ``database``: tables, roles and permissions, the demo data."""
    from flask_appbuilder import Model

    from app import create_app
    from app.demo import seed
    from app.setup import sync_permissions
    from config import TestConfig

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database, **config)
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
