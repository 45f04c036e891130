"""A complaint walked through every path of §3, over the API: who may, what follows, who is told."""

from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Alert, Appraisal, ComplaintEvent, Outbox
from tests.helpers import complaint_body, department_id, run_worker

API = "/api/v1/complaint/"


def received(app, login, username="agent1"):
    return login(username).post(API, json=complaint_body(app)).get_json()["id"]


def act(client, complaint, action, **body):
    return client.post(f"{API}{complaint}/{action}", json=body)


def status_of(client, complaint):
    return client.get(f"{API}{complaint}").get_json()["result"]["status"]


def outbox(app, template):
    with app.app_context():
        return [(row.key, row.recipients) for row in db.session.query(Outbox).filter_by(template=template)]


def test_the_whole_way_accepted_replied_resolved_closed_reopened(app, login):
    agent, net = login("agent1"), login("netroom1")
    complaint = received(app, login)
    response = act(agent, complaint, "dispatch", department=department_id(app, "NET"), note="请核查基站")
    assert response.status_code == 200
    assert response.get_json()["result"]["status"] == "dispatched"
    assert response.get_json()["result"]["responsible_department"] == department_id(app, "NET")
    [(key, to)] = outbox(app, "dispatch")
    assert key.startswith("dispatch:")
    assert to == ["net@dg.example.com", "netmgr1@dg.example.com"]
    assert act(net, complaint, "respond", text="已受理", accept=True).get_json()["result"]["status"] == "in_progress"
    replied = act(net, complaint, "respond", text="基站故障已修复,建议赠送流量", accept=True)
    assert replied.get_json()["result"]["status"] == "replied"
    assert act(agent, complaint, "resolve", text="已恢复信号").get_json()["result"]["status"] == "resolved"
    refused = act(login("agent2"), complaint, "close", callback="satisfied")
    assert refused.status_code == 403
    assert "receiving side" in refused.get_json()["message"]
    assert act(agent, complaint, "close", callback="satisfied", note="客户满意").status_code == 200
    assert status_of(agent, complaint) == "closed"
    assert act(agent, complaint, "reopen", note="客户再次来电").get_json()["result"]["status"] == "reopened"
    again = act(agent, complaint, "close", callback="satisfied")
    assert again.status_code == 409
    with app.app_context():
        steps = [
            event.action
            for event in db.session.query(ComplaintEvent).filter_by(complaint_id=complaint).order_by(ComplaintEvent.id)
        ]
    assert steps == ["dispatch", "accept", "reply", "resolve", "close", "reopen"]


def test_the_managers_of_the_receiving_side_may_close(app, login):
    complaint = received(app, login)
    act(login("agent1"), complaint, "resolve", text="已解决")
    assert act(login("center1"), complaint, "close", callback="basically_satisfied").status_code == 200


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_returning_a_dispatch_needs_a_reason(app, login, reason):
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    response = act(login("netroom1"), complaint, "respond", text=reason, accept=False)
    assert response.status_code == 422
    assert "text" in response.get_json()["message"]
    assert status_of(login("agent1"), complaint) == "dispatched"


def test_a_returned_dispatch_comes_back_and_is_escalated_twice(app, login):
    agent = login("agent1")
    complaint = received(app, login)
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    returned = act(login("netroom1"), complaint, "respond", text="不属于网络问题", accept=False)
    assert returned.get_json()["result"]["status"] == "received"
    first = act(agent, complaint, "escalate", note="退单理由不成立")
    assert first.status_code == 200
    second = act(agent, complaint, "escalate", note="仍未处理")
    assert second.status_code == 200
    third = act(agent, complaint, "escalate")
    assert third.status_code == 409
    escalations = sorted(outbox(app, "escalation"))
    assert [to for _key, to in escalations] == [["netmgr1@dg.example.com"], ["leader1@dg.example.com"]]


def test_escalation_needs_a_returned_or_overdue_dispatch(app, login):
    agent = login("agent1")
    complaint = received(app, login)
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    response = act(agent, complaint, "escalate")
    assert response.status_code == 409
    assert "returned" in response.get_json()["message"]


def test_only_the_responsible_department_responds(app, login):
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    response = act(login("agent1"), complaint, "respond", text="自己答复", accept=True)
    assert response.status_code == 403
    assert act(login("hall1"), complaint, "respond", text="x", accept=True).status_code == 404


def test_urges_are_recorded_and_sent_to_the_department(app, login):
    agent = login("agent1")
    complaint = received(app, login)
    assert act(agent, complaint, "urge").status_code == 409  # nothing dispatched yet
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    assert act(agent, complaint, "urge", note="客户多次来电").status_code == 200
    assert act(agent, complaint, "urge", note="再次催办").status_code == 200
    assert act(login("agent2"), complaint, "urge").status_code == 403
    assert [to for _key, to in outbox(app, "urge")] == [["net@dg.example.com", "netmgr1@dg.example.com"]] * 2


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("dispatch", {}, "department"),
        ("dispatch", {"department": 999999}, "department"),
        ("respond", {"text": "x"}, "accept"),
        ("close", {"callback": "happy"}, "callback"),
        ("close", {}, "callback"),
    ],
)
def test_bad_action_bodies_get_422(app, login, action, body, field):
    complaint = received(app, login)
    if action == "close":
        act(login("agent1"), complaint, "resolve", text="已解决")
    response = act(login("agent1"), complaint, action, **body)
    assert response.status_code == 422
    assert field in response.get_json()["message"]


def test_a_complaint_of_another_department_is_404_for_actions(app, login):
    complaint = received(app, login)
    assert act(login("hall1"), complaint, "resolve", text="x").status_code == 404


def run_scan(app, at):
    from app import scan

    with app.app_context():
        return scan.run(at)


def test_an_overdue_dispatch_alerts_its_manager_once_and_drafts_a_criticism(app, login):
    agent = login("agent1")
    complaint = received(app, login)
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    dispatched = clock.now()
    assert run_scan(app, dispatched + timedelta(hours=23, minutes=59))["overdue dispatches alerted"] == 0
    assert run_scan(app, dispatched + timedelta(hours=24, minutes=1))["overdue dispatches alerted"] == 1
    assert run_scan(app, dispatched + timedelta(hours=30))["overdue dispatches alerted"] == 0
    with app.app_context():
        [alert] = db.session.query(Alert).filter_by(rule="dispatch_overdue").all()
        assert (alert.complaint_id, alert.recipients) == (complaint, ["netmgr1"])
        [draft] = db.session.query(Appraisal).all()
        assert (draft.kind, draft.status, draft.department.code) == ("criticism", "draft", "NET")
    [(_key, to)] = outbox(app, "alert")
    assert to == ["netmgr1@dg.example.com", "net@dg.example.com"]
    # Overdue: the receiving side may now escalate.
    assert act(agent, complaint, "escalate", note="超时未答复").status_code == 200


def test_a_reply_in_time_raises_no_alert(app, login):
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    net = login("netroom1")
    act(net, complaint, "respond", text="受理", accept=True)
    act(net, complaint, "respond", text="已查明", accept=True)
    assert run_scan(app, clock.now() + timedelta(days=3))["overdue dispatches alerted"] == 0


def test_the_dispatch_deadline_follows_the_category(app, login):
    from app.models import Category

    with app.app_context():
        category = db.session.query(Category).filter_by(code="network_coverage").one()
        category.dispatch_reply_hours = 4
        db.session.commit()
    try:
        complaint = received(app, login)
        act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
        assert run_scan(app, clock.now() + timedelta(hours=4, minutes=1))["overdue dispatches alerted"] == 1
    finally:
        with app.app_context():
            db.session.query(Category).filter_by(code="network_coverage").one().dispatch_reply_hours = None
            db.session.commit()


def test_a_script_cannot_jump_a_status(app, login):
    from app.models import Complaint
    from app.policy import Conflict

    complaint = received(app, login)
    with app.app_context():
        db.session.get(Complaint, complaint).status = "closed"
        with pytest.raises(Conflict):
            db.session.commit()
        db.session.rollback()


# -- 受理 and 答复 are two actions; the receiver hears of the answer ----------------------


def alerts_of(app, rule):
    with app.app_context():
        return [(alert.key, alert.recipients) for alert in db.session.query(Alert).filter_by(rule=rule)]


def test_accept_and_reply_are_separate_actions_and_steps(app, login):
    agent, net = login("agent1"), login("netroom1")
    complaint = received(app, login)
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    early = act(net, complaint, "reply", text="已查明")
    assert early.status_code == 409  # a dispatch is accepted before it is replied to
    accepted = act(net, complaint, "accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["result"]["status"] == "in_progress"
    assert act(net, complaint, "accept").status_code == 409  # accepted once
    assert alerts_of(app, "dispatch_replied") == []  # accepting is not yet an answer
    for blank in (None, "", "  "):
        refused = act(net, complaint, "reply", text=blank)
        assert refused.status_code == 422
        assert "text" in refused.get_json()["message"]
    replied = act(net, complaint, "reply", text="基站故障已修复,建议赠送流量")
    assert replied.get_json()["result"]["status"] == "replied"
    with app.app_context():
        steps = [
            event.action
            for event in db.session.query(ComplaintEvent).filter_by(complaint_id=complaint).order_by(ComplaintEvent.id)
        ]
    assert steps == ["dispatch", "accept", "reply"]


@pytest.mark.parametrize("username", ["agent1", "agent2", "center1", "hall1", "room1"])
def test_only_the_responsible_department_accepts_or_replies(app, login, username):
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    assert act(login(username), complaint, "accept").status_code in (403, 404)
    act(login("netroom1"), complaint, "accept")
    assert act(login(username), complaint, "reply", text="代为答复").status_code in (403, 404)
    assert status_of(login("agent1"), complaint) == "in_progress"


def test_respond_keeps_its_meaning_accept_then_reply(app, login):
    net = login("netmgr1")
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    assert act(net, complaint, "respond", text="", accept=True).get_json()["result"]["status"] == "in_progress"
    assert act(net, complaint, "respond", text="", accept=True).status_code == 422
    assert act(net, complaint, "respond", text="已修复", accept=True).get_json()["result"]["status"] == "replied"


def test_the_receiver_is_alerted_and_mailed_when_the_dispatch_is_replied_or_returned(app, login):
    agent, net = login("agent1"), login("netroom1")
    complaint = received(app, login)
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    act(net, complaint, "respond", text="非本部门职责", accept=False)
    [(key, to)] = alerts_of(app, "dispatch_returned")
    assert to == ["agent1"]
    mine = agent.get("/api/v1/alert/").get_json()
    assert any(row["rule"] == "dispatch_returned" and row["complaint"] == complaint for row in mine["result"])
    run_worker(app)  # the worker writes the notice
    with app.app_context():
        [mail] = db.session.query(Outbox).filter_by(key=f"alert:{key}").all()
        assert mail.recipients == ["agent1@dg.example.com"]
        assert "非本部门职责" in mail.body
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    act(net, complaint, "accept")
    act(net, complaint, "reply", text="基站已修复")
    [(_key, to)] = alerts_of(app, "dispatch_replied")
    assert to == ["agent1"]
