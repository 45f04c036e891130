"""`complaints generate`: bulk complaints that look as if people had recorded them."""

import re

from sqlalchemy import func, select

from app.cli import generate_command
from app.extensions import db
from app.models import Complaint, ComplaintEvent, Dispatch, Incident, NumberSequence, RefundRequest
from app.policy import complaints as policy
from app.policy import fast
from app.policy.flow import OPEN_STATUSES
from tests.helpers import complaint_body

COUNT = 400
NUMBER = re.compile(r"DG\d{8}\d{4}")


def _generate(app, *arguments):
    result = app.test_cli_runner().invoke(generate_command, ["--count", str(COUNT), *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_writes_the_complaints_asked_for_and_what_they_imply(app):
    output = _generate(app)
    assert f"{COUNT} complaints" in output
    with app.app_context():
        baseline = app.config["BASELINE_IDS"]
        new = select(Complaint).where(Complaint.id > baseline["complaint"])
        rows = db.session.scalars(new).all()
        assert len(rows) == COUNT
        numbers = [row.number for row in rows]
        assert len(set(numbers)) == COUNT
        assert all(NUMBER.fullmatch(number) for number in numbers)
        for row in rows:
            assert row.signature == fast.signature(row.category_id, row.topic)
            assert row.escalated == policy.is_escalated(row.source)
            assert policy.check_phone(row.customer_phone) is None
            assert row.first_reply_due > row.received_at
            assert (row.status in OPEN_STATUSES) == (row.closed_at is None and row.resolved_at is None)
        # Open dispatched complaints have their dispatch; closed ones were closed with a callback.
        for row in rows:
            if row.status in ("dispatched", "in_progress", "replied"):
                assert row.responsible_department_id is not None
                assert db.session.scalar(select(func.count()).where(Dispatch.complaint_id == row.id)) == 1
            if row.status == "closed":
                assert row.callback is not None
        events = db.session.scalar(select(func.count()).where(ComplaintEvent.complaint_id > baseline["complaint"]))
        assert events > 0
        refunds = db.session.scalars(select(RefundRequest).where(RefundRequest.complaint_id > baseline["complaint"]))
        assert all(refund.required_level for refund in refunds)


def test_the_days_numbers_continue_after_the_generated_ones(app):
    _generate(app)
    with app.app_context():
        sequences = dict(db.session.execute(select(NumberSequence.name, NumberSequence.value)).all())
        last = db.session.scalar(select(func.max(Complaint.number)))
        day = last[2:10]
        assert sequences[f"complaint:{day}"] == int(last[10:])


def test_waves_of_the_same_content_form_incidents(app):
    _generate(app, "--seed", "3")
    with app.app_context():
        baseline = app.config["BASELINE_IDS"]
        incidents = db.session.scalars(select(Incident).where(Incident.id > baseline["incident"])).all()
        assert incidents
        for incident in incidents:
            members = db.session.scalars(select(Complaint).where(Complaint.incident_id == incident.id)).all()
            assert len(members) == incident.volume >= fast.HOTLINE_SHIFT_COUNT
            assert {member.signature for member in members} == {incident.signature}


def test_generated_complaints_show_in_the_lists_and_new_ones_still_save(app, login):
    _generate(app)
    leader = login("leader1")
    listed = leader.get("/api/v1/complaint/", query_string={"q": "(page_size:5)"})
    assert listed.status_code == 200
    assert listed.get_json()["count"] >= COUNT
    page = leader.web.get("/complaints/list/")
    assert page.status_code == 200
    agent = login("agent1")
    created = agent.post("/api/v1/complaint/", json=complaint_body(app))
    assert created.status_code == 201
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(Complaint.number == created.get_json()["result"]["number"]))
            == 1
        )
