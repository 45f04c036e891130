"""Temporary handling groups (§5): the lead by the rule, core members, meeting notice and minutes."""

from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import HandlingGroup, Outbox
from tests.helpers import department_id, run_worker
from tests.test_api_fast import file


def convene(app, client, complaint_id):
    response = client.web.post(
        "/handling-groups/convene", data={"complaint": str(complaint_id), "assessment": "现场客户情绪激动"}
    )
    assert response.status_code == 302, response.status_code
    with app.app_context():
        return db.session.query(HandlingGroup).order_by(HandlingGroup.id.desc()).first().id


def members(app, group_id):
    with app.app_context():
        group = db.session.get(HandlingGroup, group_id)
        return group.lead_department.code, sorted(
            member.department.code for member in group.members if member.department
        )


@pytest.mark.parametrize(
    ("cause", "lead", "core"),
    [
        (
            "system_defect",
            "IT",
            {"IT", "CSC", "MKT-SVC", "BR-GC", "BR-CA", "BR-HM", "BR-CP", "BR-TX", "BR-DC", "CSC-HOT-A"},
        ),
        ("individual", "CSC", {"CSC", "CSC-HOT-A"}),  # the CSC that first received it leads
    ],
)
def test_the_lead_department_follows_the_rule(app, login, cause, lead, core):
    agent = login("agent1")
    complaint = file(
        app, agent, severity="major", major_type="general", cause=cause, responsible_department=department_id(app, "IT")
    )
    group = convene(app, login("center1"), complaint["id"])
    assert members(app, group) == (lead, sorted(core))


def test_frontline_does_not_convene(app, login):
    complaint = file(app, login("agent1"), severity="major", major_type="general")
    assert (
        login("agent1").web.post("/handling-groups/convene", data={"complaint": str(complaint["id"])}).status_code
        == 403
    )


def test_the_meeting_notice_before_or_after_the_fact_and_the_minutes_go_to_members(app, login):
    center = login("center1")
    complaint = file(app, login("agent1"), severity="major", major_type="general", cause="individual")
    group = convene(app, center, complaint["id"])
    past = clock.to_local(clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    refused = center.web.post(
        f"/handling-groups/act/{group}/notice",
        data={"meeting_at": past},
        query_string={"_l_": "en"},
        follow_redirects=True,
    )
    assert "after the fact" in refused.get_data(as_text=True)
    assert (
        center.web.post(
            f"/handling-groups/act/{group}/notice",
            data={"meeting_at": past, "after_the_fact": "1", "place": "3楼会议室"},
        ).status_code
        == 302
    )
    assert (
        center.web.post(f"/handling-groups/act/{group}/minutes", data={"minutes": "决定:逐户回访"}).status_code == 302
    )
    run_worker(app)  # the worker writes the notices
    with app.app_context():
        notice = db.session.query(Outbox).filter_by(template="meeting_notice").one()
        minutes = db.session.query(Outbox).filter_by(template="meeting_minutes").one()
        assert "会后补发" in notice.body and "csc@dg.example.com" in notice.recipients
        assert minutes.recipients == notice.recipients
    again = center.web.post(
        f"/handling-groups/act/{group}/minutes",
        data={"minutes": "再次"},
        query_string={"_l_": "en"},
        follow_redirects=True,
    )
    assert "already published" in again.get_data(as_text=True)
