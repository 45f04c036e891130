"""A month of complaints with known counts (October 2026, Asia/Shanghai), for the bulletin tests.

Rows are inserted as they stand in the database after their story, so each count below is
known exactly; September is the month before, and one complaint falls in November.
"""

from datetime import datetime
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import insert, select

from app import clock
from app.extensions import db
from app.models import Alert, Appraisal, Category, Complaint, Department, Dispatch, Incident, RefundRequest, RefundType
from app.policy import rates

MONTH = "2026-10"
# The bulletin is built as of this time: open complaints due before it are overdue.
NOW = clock.parse_time("2026-11-05T09:00:00+08:00")
LATER = clock.parse_time("2030-01-01T09:00:00+08:00")


def at(text: str) -> datetime:
    return clock.parse_time(text + "+08:00")


def _ids(model, column, codes):
    return dict(db.session.execute(select(column, model.id).where(column.in_(codes))).all())


def insert_month(app) -> None:
    with app.app_context():
        _insert()
        db.session.commit()


def _insert() -> None:
    categories = _ids(Category, Category.code, ["network_coverage", "bill_dispute", "tariff"])
    departments = _ids(Department, Department.code, ["CSC-HOT-A", "NET", "IT"])
    agent = db.session.scalar(select(User.id).where(User.username == "agent1"))
    refund_type = db.session.scalar(select(RefundType.id).where(RefundType.code == "billing_error"))
    numbers = iter(range(1, 100))

    def complaint(received, category, channel="hotline_10086", *, status="received", due=LATER, **values):
        number = next(numbers)
        row = {
            "number": f"DGTEST{number:04d}",
            "channel": channel,
            "escalated": values.get("source") is not None,
            "category_id": categories[category],
            "topic": f"bulletin {number}",
            "signature": f"bulletin {number}",
            "summary": "bulletin test",
            "customer_phone": "13800138000",
            "received_at": at(received),
            "receiver_id": agent,
            "receiving_department_id": departments["CSC-HOT-A"],
            "status": status,
            "resolve_due": due,
            **values,
        }
        return db.session.execute(insert(Complaint).values(row).returning(Complaint.id)).scalar_one()

    # October: 6 complaints, the first and the last at the month's first and last local minute.
    first = complaint(
        "2026-10-01T00:00", "network_coverage", status="closed", callback="satisfied",
        resolved_at=at("2026-10-01T10:00"), due=at("2026-10-03T00:00"),
    )  # fmt: skip
    complaint(
        "2026-10-10T10:00", "network_coverage", "service_hall", status="resolved",
        resolved_at=at("2026-10-15T10:00"), due=at("2026-10-12T10:00"), is_repeat=True, repeat_of_id=first,
    )  # fmt: skip
    bill = complaint("2026-10-12T09:00", "bill_dispute", source="consumer_association", due=at("2026-10-14T09:00"))
    complaint(
        "2026-10-20T15:00", "bill_dispute", "website", status="dispatched", source="media",
        severity="major", major_type="media_crisis", is_repeat=True, repeat_of_id=bill,
    )  # fmt: skip
    complaint(
        "2026-10-31T23:59", "tariff", status="closed", callback="dissatisfied", severity="major",
        major_type="general", resolved_at=at("2026-11-01T09:00"), due=at("2026-11-02T23:59"),
    )  # fmt: skip
    complaint("2026-10-25T08:00", "tariff")
    # September: 2, both open past their deadline; November: 1.
    complaint("2026-09-30T23:59", "network_coverage", due=at("2026-10-02T23:59"))
    complaint("2026-09-15T10:00", "bill_dispute", source="miit", due=at("2026-09-17T10:00"))
    complaint("2026-11-01T00:00", "network_coverage")

    def dispatch(department, dispatched, due, status, **values):
        row = {
            "complaint_id": first,
            "department_id": departments[department],
            "dispatched_by_id": agent,
            "dispatched_at": at(dispatched),
            "reply_due": at(due),
            "status": status,
            **values,
        }
        db.session.execute(insert(Dispatch).values(row))

    dispatch("NET", "2026-10-02T10:00", "2026-10-03T10:00", "replied", replied_at=at("2026-10-03T09:00"))
    dispatch("NET", "2026-10-04T10:00", "2026-10-05T10:00", "replied", replied_at=at("2026-10-05T11:00"))
    dispatch("NET", "2026-10-06T10:00", "2026-10-07T10:00", "returned", returned_at=at("2026-10-06T12:00"))
    dispatch("IT", "2026-10-30T10:00", "2026-10-31T10:00", "open")
    # Due long after any day the tests run: still within its deadline for the page's "now" too.
    dispatch("IT", "2026-10-31T23:00", "2029-12-31T23:00", "accepted")
    dispatch("IT", "2026-09-30T10:00", "2026-10-01T10:00", "open")

    for discovered, rule in (("2026-10-08T10:00", "hotline_shift_3"), ("2026-09-08T10:00", "manual")):
        row = {"signature": f"sig {rule}", "rule": rule, "topic": rule, "discovered_at": at(discovered)}
        db.session.execute(insert(Incident).values(row))

    for created, criterion in (("2026-10-09T10:00", 1), ("2026-10-21T10:00", 4), ("2026-09-21T10:00", 2)):
        row = {
            "rule": "leadership_report",
            "complaint_id": first,
            "criterion": criterion,
            "recipients": ["leader1"],
            "key": f"bulletin-test:{created}",
            "created_on": at(created),
        }
        db.session.execute(insert(Alert).values(row))

    def refund(level, amount, status, created="2026-10-15T10:00"):
        row = {
            "complaint_id": first,
            "amount": Decimal(amount),
            "refund_type_id": refund_type,
            "liability": "yes",
            "status": status,
            "required_level": level,
            "requested_by_id": agent,
            "created_on": at(created),
            "version": 1,
        }
        db.session.execute(insert(RefundRequest).values(row))

    refund("frontline", "50.00", "approved")
    refund("room_manager", "300.00", "approved")
    refund("room_manager", "450.50", "pending")
    refund("center_manager", "1500.00", "rejected")
    refund("leadership", "9000.00", "approved", created="2026-09-15T10:00")

    def appraisal(kind, department, status="published", created="2026-10-16T10:00"):
        row = {
            "kind": kind,
            "status": status,
            "department_id": departments[department],
            "reason": "bulletin test",
            "created_on": at(created),
        }
        db.session.execute(insert(Appraisal).values(row))

    appraisal("commendation", "CSC-HOT-A")
    appraisal("criticism", "NET")
    appraisal("criticism", "NET")
    appraisal("criticism", "IT", status="draft")
    appraisal("criticism", "IT", status="discarded")
    appraisal("criticism", "IT", created="2026-09-16T10:00")


# What the bulletin of October must say, section by section (labels in English).
EXPECTED = {
    "overview": [
        ["Complaints received", 6, 2, 4],
        ["Escalated complaints", 2, 1, 1],
        ["Resolved or closed", 3, 0, 3],
        ["Open and overdue", 1, 2, -1],
        ["Major complaints", 2, 0, 2],
        ["Incidents", 1, 1, 0],
        ["Reports to company leadership", 2, 1, 1],
        ["Repeat complaints", 2, 0, 2],
    ],
    # (rate, counted, out of, this month %, previous month %, definition): app/policy/rates.py.
    "rates": [
        # Dispatched in October: NET on time, NET late, NET returned, IT open past its deadline;
        # IT accepted within its deadline (2029) is not counted yet. September: IT open, overdue.
        ["On-time reply rate", 1, 4, 25.0, 0.0, rates.ON_TIME_REPLY.definition],
        # Callbacks: satisfied and dissatisfied; none in September.
        ["Satisfaction rate", 1, 2, 50.0, None, rates.SATISFACTION.definition],
        ["Repeat complaint rate", 2, 6, 33.3, 0.0, rates.REPEAT.definition],
        # Consumer association and media of 6; MIIT of 2 in September.
        ["Escalated complaint share", 2, 6, 33.3, 50.0, rates.ESCALATION.definition],
    ],
    "by_category": [
        ["网络覆盖", 2, 1, 1],
        ["话费争议", 2, 1, 1],
        ["资费套餐", 2, 0, 2],
    ],
    "by_channel": [
        ["10086 hotline", 4, 2, 2],
        ["Service hall", 1, 0, 1],
        ["Website", 1, 0, 1],
    ],
    "by_escalation": [
        ["Consumer association", 1, 0, 1],
        ["Media", 1, 0, 1],
        ["MIIT", 0, 1, -1],
    ],
    "handling_status": [
        ["Received", 6, 2, 4],
        ["Resolved or closed", 3, 0, 3],
        ["Resolved after the result deadline", 1, 0, 1],
        ["Open", 3, 2, 1],
        ["Open and overdue", 1, 2, -1],
    ],
    "callbacks": [
        ["Dissatisfied", 1, 0, 1],
        ["Satisfied", 1, 0, 1],
    ],
    "dispatch_responses": [
        ["网维中心", 3, 1, 1, 0, 1, 0],
        ["信息技术中心", 2, 0, 0, 1, 0, 1],
    ],
    "incidents": [
        ["3rd same-content complaint in a shift", 1, 0, 1],
        ["Reported by hand", 0, 1, -1],
    ],
    "major_complaints": [
        ["General major", 1, 0, 1],
        ["Media crisis", 1, 0, 1],
    ],
    "leadership_reports": [
        ["1. City-level or higher media interview or negative report", 1, 0, 1],
        ["2. Volume from discovery to preliminary reply over 200", 0, 1, -1],
        ["4. The customer sued in court", 1, 0, 1],
    ],
    "repeat_complaints": [
        ["网络覆盖", 2, 1, 50.0, 1, 0, 0.0],
        ["话费争议", 2, 1, 50.0, 1, 0, 0.0],
        ["资费套餐", 2, 0, 0.0, 0, 0, 0.0],
        ["All categories", 6, 2, 33.3, 2, 0, 0.0],
    ],
    "refunds": [
        ["Frontline", 1, Decimal("50.00"), 1, Decimal("50.00"), 0, 0],
        ["Room manager", 2, Decimal("750.50"), 1, Decimal("300.00"), 1, 0],
        ["Centre manager", 1, Decimal("1500.00"), 0, Decimal("0.00"), 0, 1],
    ],
    "appraisals": [
        ["网维中心", 0, 2],
        ["10086 A班组", 1, 0],
    ],
}

# The written analysis of October (in English; the PDF carries the Chinese one).
ANALYSIS_EN = (
    "In 2026-10 6 complaints were received, 4 more than the previous month (2). "
    "The largest category was 网络覆盖, 话费争议, 资费套餐 with 2 (33.3%). "
    "On-time reply rate 25.0%, satisfaction rate 50.0%, repeat complaint rate 33.3%, escalated complaint share 33.3%. "
    "1 of the month's complaints are still open past their result deadline."
)
