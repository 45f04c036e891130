"""The ``refund`` resource: authority at every boundary, decisions, splitting, the inbox."""

import threading
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import AuditLog, RefundRequest, RefundType
from app.policy import Conflict
from tests.helpers import complaint_body, department_id, run_worker

API = "/api/v1/refund/"


def refund_type_id(app, code):
    with app.app_context():
        return db.session.query(RefundType.id).filter_by(code=code).scalar()


def new_complaint(app, client, prepaid=True):
    response = client.post("/api/v1/complaint/", json=complaint_body(app, customer_prepaid=prepaid))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def request_refund(app, client, complaint, amount, type_code="monternet", **changes):
    body = {
        "complaint": complaint,
        "amount": amount,
        "refund_type": refund_type_id(app, type_code),
        "liability": "yes",
        "note": "计费错误,退还",
    }
    body.update(changes)
    return client.post(API, json=body)


def refund_count(app):
    with app.app_context():
        return db.session.query(RefundRequest).count()


# (requester, prepaid IN customer, refund type, amount, status, required level)
BOUNDARIES = [
    ("agent1", True, "monternet", "100.00", "approved", "frontline"),  # 100.00 frontline
    ("agent1", True, "missed_gift", "100.00", "approved", "frontline"),
    ("agent1", True, "monternet", "100.01", "pending", "room_manager"),  # 100.01 room manager
    ("agent1", False, "monternet", "80.00", "pending", "room_manager"),  # postpaid customer
    ("agent1", True, "billing_error", "80.00", "pending", "room_manager"),  # type not eligible
    ("room2", True, "goodwill", "500.00", "approved", "room_manager"),  # 500.00 room
    ("room2", True, "goodwill", "500.01", "pending", "center_manager"),  # 500.01 centre
    ("center1", False, "billing_error", "2000.00", "approved", "center_manager"),  # 2000.00 centre
    ("center1", False, "billing_error", "2000.01", "pending", "leadership"),  # 2000.01 leadership
    ("leader1", False, "goodwill", "50000.00", "approved", "leadership"),
]


@pytest.mark.parametrize(("requester", "prepaid", "type_code", "amount", "status", "level"), BOUNDARIES)
def test_authority_at_every_boundary(app, login, requester, prepaid, type_code, amount, status, level):
    client = login(requester)
    complaint = new_complaint(app, client, prepaid=prepaid)
    response = request_refund(app, client, complaint, amount, type_code)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert (result["amount"], result["status"], result["required_level"]) == (amount, status, level)
    if status == "approved":
        assert result["decided_by"] == result["requested_by"]
        assert result["decided_at"] is not None
    else:
        assert result["decided_by"] is None


def test_three_90_yuan_refunds_need_a_room_manager_from_the_second(app, login):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    results = [request_refund(app, agent, complaint, "90.00").get_json()["result"] for _ in range(3)]
    assert [(r["status"], r["required_level"]) for r in results] == [
        ("approved", "frontline"),
        ("pending", "room_manager"),  # 180.00 in all
        ("pending", "room_manager"),  # 270.00
    ]


def test_a_rejected_request_no_longer_counts(app, login):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    request_refund(app, agent, complaint, "60.00")
    second = request_refund(app, agent, complaint, "60.00").get_json()
    assert second["result"]["required_level"] == "room_manager"
    assert (
        login("room1").post(f"{API}{second['id']}/decide", json={"decision": "reject", "note": "超出政策"}).status_code
        == 200
    )
    third = request_refund(app, agent, complaint, "40.00").get_json()["result"]
    assert (third["status"], third["required_level"]) == ("approved", "frontline")  # 60 + 40 = 100.00


@pytest.mark.parametrize(
    ("considerations", "note", "fields"),
    [
        ([], "", {"considerations", "note"}),
        (["satisfaction"], None, {"note"}),
        ([], "老客户", {"considerations"}),
    ],
)
def test_no_liability_needs_a_consideration_and_a_note(app, login, considerations, note, fields):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    before = refund_count(app)
    response = request_refund(app, agent, complaint, "50.00", liability="no", considerations=considerations, note=note)
    assert response.status_code == 422
    assert set(response.get_json()["message"]) == fields
    assert refund_count(app) == before


def test_no_liability_with_reasons_is_accepted(app, login):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    response = request_refund(
        app, agent, complaint, "50.00", liability="no", considerations=["customer_value"], note="金卡客户"
    )
    assert response.status_code == 201
    assert response.get_json()["result"]["considerations"] == ["customer_value"]


@pytest.mark.parametrize(
    ("amount", "status"),
    [("0", 422), ("0.00", 422), ("-10.00", 422), ("abc", 422), ("10.001", 422), ("", 422), (None, 422)],
)
def test_bad_amounts_get_4xx_and_save_nothing(app, login, amount, status):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    before = refund_count(app)
    response = request_refund(app, agent, complaint, amount)
    assert response.status_code == status
    assert "amount" in response.get_json()["message"]
    assert refund_count(app) == before


def test_a_refund_on_someone_elses_complaint_is_refused(app, login):
    complaint = new_complaint(app, login("agent1"))
    response = request_refund(app, login("hall1"), complaint, "10.00")
    assert response.status_code == 422
    assert "complaint" in response.get_json()["message"]


def test_the_room_manager_of_the_unit_approves_and_a_second_decision_conflicts(app, login):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    pending = request_refund(app, agent, complaint, "300.00").get_json()
    room = login("room1")
    response = room.post(f"{API}{pending['id']}/decide", json={"decision": "approve", "note": "同意"})
    assert response.status_code == 200
    result = response.get_json()["result"]
    assert (result["status"], result["decision_note"]) == ("approved", "同意")
    again = login("center1").post(f"{API}{pending['id']}/decide", json={"decision": "reject"})
    assert again.status_code == 409
    assert "already been decided" in again.get_json()["message"]
    assert agent.get(f"{API}{pending['id']}").get_json()["result"]["status"] == "approved"


def test_deciding_beyond_authority_is_403_and_saves_nothing(app, login):
    center = login("center1")
    complaint = new_complaint(app, center, prepaid=False)
    pending = request_refund(app, center, complaint, "2000.01", "billing_error").get_json()
    for manager in ("room1", "center1"):
        response = login(manager).post(f"{API}{pending['id']}/decide", json={"decision": "approve"})
        assert response.status_code == 403
        assert "beyond your authority" in response.get_json()["message"]
    assert center.get(f"{API}{pending['id']}").get_json()["result"]["status"] == "pending"
    assert login("leader1").post(f"{API}{pending['id']}/decide", json={"decision": "approve"}).status_code == 200


def test_frontline_cannot_decide_and_other_units_cannot_see(app, login):
    agent = login("agent1")
    pending = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()
    assert login("agent2").post(f"{API}{pending['id']}/decide", json={"decision": "approve"}).status_code == 403
    for outsider in ("netroom1", "room2", "branch1"):
        response = login(outsider).post(f"{API}{pending['id']}/decide", json={"decision": "approve"})
        assert response.status_code == 404


@pytest.mark.parametrize("body", [{"decision": "maybe"}, {}, {"decision": 1}])
def test_bad_decisions_are_refused(app, login, body):
    agent = login("agent1")
    pending = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()
    response = login("room1").post(f"{API}{pending['id']}/decide", json=body)
    assert response.status_code == 422
    assert agent.get(f"{API}{pending['id']}").get_json()["result"]["status"] == "pending"


def test_a_decided_request_cannot_be_edited_or_deleted_by_anyone(app, login):
    agent = login("agent1")
    approved = request_refund(app, agent, new_complaint(app, agent), "50.00").get_json()
    assert agent.put(f"{API}{approved['id']}", json={"amount": "5.00"}).status_code == 405
    assert login("leader1").delete(f"{API}{approved['id']}").status_code == 405
    with app.app_context():
        refund = db.session.get(RefundRequest, approved["id"])
        refund.amount = Decimal("5.00")
        with pytest.raises(Conflict):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(RefundRequest, approved["id"]))
        with pytest.raises(Conflict):
            db.session.commit()
        db.session.rollback()
    assert agent.get(f"{API}{approved['id']}").get_json()["result"]["amount"] == "50.00"


def test_two_managers_deciding_at_once_exactly_one_wins(app, login):
    """Two connections, two managers, one pending request: one decision is kept."""
    agent = login("agent1")
    pending = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()
    from sqlalchemy.orm.exc import StaleDataError

    from app.extensions import appbuilder
    from app.policy.errors import PolicyError
    from app.services import refunds

    outcomes = []
    barrier = threading.Barrier(2)

    def decide(username, decision):
        with app.app_context():
            session = db.session  # each thread's app context has its own session and connection
            try:
                refund = session.get(RefundRequest, pending["id"])
                manager = session.merge(appbuilder.sm.find_user(username=username))
                refunds.decide(session, refund, manager, decision, username, refunds_now())
                barrier.wait(timeout=10)
                session.commit()
                outcomes.append(("won", username))
            except (StaleDataError, PolicyError) as error:
                session.rollback()
                outcomes.append(("lost", type(error).__name__))
            except Exception as error:  # SQLite: the loser may also find the database locked
                session.rollback()
                outcomes.append(("lost", type(error).__name__))
            finally:
                session.remove()

    threads = [threading.Thread(target=decide, args=args) for args in (("room1", "approve"), ("center1", "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcome for outcome, _ in outcomes) == ["lost", "won"]
    winner = next(name for outcome, name in outcomes if outcome == "won")
    result = agent.get(f"{API}{pending['id']}").get_json()["result"]
    assert result["status"] == {"room1": "approved", "center1": "rejected"}[winner]
    assert result["decision_note"] == winner


def refunds_now():
    from app import clock

    return clock.now()


def test_every_step_is_audited(app, login):
    agent = login("agent1")
    pending = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()
    login("room1").post(f"{API}{pending['id']}/decide", json={"decision": "approve"})
    with app.app_context():
        entries = (
            db.session.query(AuditLog).filter_by(table_name="refund", row_id=pending["id"]).order_by(AuditLog.id).all()
        )
        assert [(entry.action, entry.user) for entry in entries] == [("create", "agent1"), ("update", "room1")]
        assert entries[1].changes["status"] == ["pending", "approved"]


# Who sees which pending request in the approvals inbox.
def test_the_inbox_shows_each_manager_exactly_what_they_may_decide(app, login):
    agent, hall = login("agent1"), login("hall1")
    room_level = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()["id"]
    centre_level = request_refund(app, agent, new_complaint(app, agent), "800.00").get_json()["id"]
    top_level = request_refund(app, agent, new_complaint(app, agent), "3000.00").get_json()["id"]
    hall_level = request_refund(app, hall, new_complaint(app, hall), "300.00").get_json()["id"]
    request_refund(app, agent, new_complaint(app, agent), "50.00")  # approved at once: in nobody's inbox

    def inbox(username):
        page = login(username).web.get("/refund-inbox/list/").get_data(as_text=True)
        return {refund for refund in (room_level, centre_level, top_level, hall_level) if f'/decide/{refund}"' in page}

    assert inbox("room1") == {room_level}
    assert inbox("center1") == {room_level, centre_level}
    assert inbox("branch1") == {hall_level}
    assert inbox("netmgr1") == set()
    assert inbox("leader1") == {room_level, centre_level, top_level, hall_level}
    assert login("agent2").web.get("/refund-inbox/list/").status_code == 403


def outbox_for(app, key):
    from app.models import Outbox

    run_worker(app)  # the worker writes the notice
    with app.app_context():
        notice = db.session.query(Outbox).filter_by(key=key).one_or_none()
        return None if notice is None else (notice.template, notice.recipients, notice.subject)


# (requester, amount, who is asked to decide) — the lowest level that may, in the complaint's unit.
DECIDERS = [
    ("agent1", "300.00", ["room1@dg.example.com"]),  # CSC unit: its room manager
    ("agent1", "800.00", ["center1@dg.example.com"]),  # centre level: the centre manager
    ("agent1", "3000.00", ["leader1@dg.example.com"]),  # CSC's supervising leader
    ("hall1", "300.00", ["branch1@dg.example.com"]),  # no room manager in BR-GC: its branch manager
    ("hall1", "3000.00", ["leader1@dg.example.com"]),  # no supervising leader: every company leader
]


@pytest.mark.parametrize(("requester", "amount", "recipients"), DECIDERS)
def test_a_pending_request_asks_the_users_who_may_decide_it(app, login, requester, amount, recipients):
    client = login(requester)
    refund = request_refund(app, client, new_complaint(app, client), amount, "goodwill").get_json()
    template, to, subject = outbox_for(app, f"refund_pending:{refund['id']}")
    assert (template, to) == ("refund_pending", recipients)
    assert "退费待审批" in subject and amount.split(".")[0] in subject.replace(",", "")


def test_a_refund_approved_at_once_asks_nobody(app, login):
    agent = login("agent1")
    refund = request_refund(app, agent, new_complaint(app, agent), "50.00").get_json()
    assert outbox_for(app, f"refund_pending:{refund['id']}") is None


def test_the_requester_is_told_the_decision(app, login):
    agent = login("agent1")
    refund = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()
    login("room1").post(f"{API}{refund['id']}/decide", json={"decision": "reject", "note": "不符合退费条件"})
    template, to, subject = outbox_for(app, f"refund_decided:{refund['id']}")
    assert (template, to) == ("refund_decided", ["agent1@dg.example.com"])
    assert "审批结果" in subject


def test_a_second_decision_sends_no_second_notice(app, login):
    agent = login("agent1")
    refund = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()
    room = login("room1")
    room.post(f"{API}{refund['id']}/decide", json={"decision": "approve"})
    room.post(f"{API}{refund['id']}/decide", json={"decision": "approve"})
    from app.models import Outbox

    with app.app_context():
        assert db.session.query(Outbox).filter(Outbox.key.like(f"refund_%:{refund['id']}")).count() == 2


def dispatched_complaint(app, login, department="NET"):
    """A prepaid customer's complaint received by agent1 (CSC) and dispatched to ``department``."""
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    response = agent.post(
        f"/api/v1/complaint/{complaint}/dispatch", json={"department": department_id(app, department), "note": "请核查"}
    )
    assert response.status_code == 200, response.get_json()
    return complaint


# §2: only the receiving unit's managers (or Leadership) decide; the unit dispatched to proposes.
# (requester, amount, refund type, status, required level) on a CSC complaint dispatched to NET.
REQUESTERS_OF_A_DISPATCHED_COMPLAINT = [
    ("netmgr1", "1500.00", "goodwill", "pending", "center_manager"),  # NET's centre manager proposes
    ("netroom1", "300.00", "goodwill", "pending", "room_manager"),  # NET's room manager proposes
    ("agent1", "50.00", "monternet", "approved", "frontline"),  # the receiving side's own agent
    ("center1", "1500.00", "goodwill", "approved", "center_manager"),  # CSC's centre manager
    ("leader1", "3000.00", "goodwill", "approved", "leadership"),
]


@pytest.mark.parametrize(("requester", "amount", "type_code", "status", "level"), REQUESTERS_OF_A_DISPATCHED_COMPLAINT)
def test_only_the_receiving_unit_decides_a_refund_by_requesting_it(
    app, login, requester, amount, type_code, status, level
):
    complaint = dispatched_complaint(app, login)
    response = request_refund(app, login(requester), complaint, amount, type_code)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert (result["status"], result["required_level"]) == (status, level)
    assert (result["decided_by"] is None) is (status == "pending")


def test_a_manager_of_the_unit_dispatched_to_proposes_and_the_receiving_unit_decides(app, login):
    """The issue's case: NET's manager files 1500.00 on CSC's complaint; CSC's centre manager decides."""
    complaint = dispatched_complaint(app, login)
    netmgr = login("netmgr1")
    refund = request_refund(app, netmgr, complaint, "1500.00", "goodwill").get_json()
    assert (refund["result"]["status"], refund["result"]["decided_by"]) == ("pending", None)
    template, to, _subject = outbox_for(app, f"refund_pending:{refund['id']}")
    assert (template, to) == ("refund_pending", ["center1@dg.example.com"])
    later = netmgr.post(f"{API}{refund['id']}/decide", json={"decision": "approve"})
    assert later.status_code == 403
    assert "another unit's complaint" in later.get_json()["message"]
    assert login("branch1").post(f"{API}{refund['id']}/decide", json={"decision": "approve"}).status_code == 404
    assert netmgr.get(f"{API}{refund['id']}").get_json()["result"]["status"] == "pending"
    decided = login("center1").post(f"{API}{refund['id']}/decide", json={"decision": "approve"})
    assert decided.status_code == 200
    assert decided.get_json()["result"]["status"] == "approved"


def test_no_door_records_a_decision_outside_the_receiving_unit(app, login):
    """The backstop: a decision set on the row (a script, a job) follows the same rule."""
    from app.extensions import appbuilder
    from app.policy import NotAllowed

    complaint = dispatched_complaint(app, login)
    refund = request_refund(app, login("netroom1"), complaint, "300.00", "goodwill").get_json()
    with app.app_context():
        manager = appbuilder.sm.find_user(username="netmgr1")
        row = db.session.get(RefundRequest, refund["id"])
        row.status = "approved"
        row.decided_by = manager
        row.decided_at = refunds_now()
        with pytest.raises(NotAllowed):
            db.session.commit()
        db.session.rollback()
    assert login("agent1").get(f"{API}{refund['id']}").get_json()["result"]["status"] == "pending"
