"""Small helpers shared by the tests: ids of demo rows, a valid complaint body."""

from app.extensions import db
from app.models import Category, Complaint, Department


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
