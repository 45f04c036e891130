"""The refund form and the inbox's decision page: the same rules as the API."""

import pytest

from app.extensions import db
from app.models import RefundRequest
from tests.test_api_refund import (
    BOUNDARIES,
    dispatched_complaint,
    new_complaint,
    refund_count,
    refund_type_id,
    request_refund,
)


def complaint_number(app, complaint_id):
    from app.models import Complaint

    with app.app_context():
        return db.session.get(Complaint, complaint_id).number


def form(app, number, **changes):
    data = {
        "complaint_number": number,
        "amount": "300.00",
        "refund_type": str(refund_type_id(app, "monternet")),
        "liability": "yes",
        "note": "梦网扣费,退还",
    }
    data.update(changes)
    return data


def test_an_agent_requests_a_300_yuan_refund_by_form(app, login):
    agent = login("agent1")
    number = complaint_number(app, new_complaint(app, agent))
    page = agent.web.get("/refunds/add", query_string={"complaint_number": number}).get_data(as_text=True)
    assert f'value="{number}"' in page
    response = agent.web.post("/refunds/add", data=form(app, number))
    assert response.status_code == 302
    with app.app_context():
        refund = db.session.query(RefundRequest).one()
        assert (str(refund.amount), refund.status, refund.required_level) == ("300.00", "pending", "room_manager")
        assert refund.requested_by.username == "agent1"


@pytest.mark.parametrize(
    ("changes", "api_changes", "field", "message"),
    [
        ({"amount": "100.001"}, {"amount": "100.001"}, "amount", "two decimal places"),
        ({"amount": "0"}, {"amount": "0"}, "amount", "more than 0.00"),
        ({"amount": "-3"}, {"amount": "-3"}, "amount", "more than 0.00"),
        ({"amount": "abc"}, {"amount": "abc"}, "amount", "Not a number"),
        ({"liability": "no", "note": ""}, {"liability": "no", "note": ""}, "note", "explain the refund"),
    ],
)
def test_the_form_refuses_what_the_api_refuses(app, login, changes, api_changes, field, message):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    before = refund_count(app)
    api = request_refund(app, agent, complaint, api_changes.pop("amount", "50.00"), **api_changes)
    assert api.status_code == 422
    assert message in " ".join(api.get_json()["message"][field])
    page = agent.web.post(
        "/refunds/add", data=form(app, complaint_number(app, complaint), **changes), query_string={"_l_": "en"}
    )
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert refund_count(app) == before


def test_an_unknown_complaint_number_keeps_the_form(app, login):
    response = login("agent1").web.post("/refunds/add", data=form(app, "DG000000000000"), query_string={"_l_": "en"})
    assert response.status_code == 200
    assert "No such complaint" in response.get_data(as_text=True)


def test_the_room_manager_approves_from_the_inbox(app, login):
    agent = login("agent1")
    refund = request_refund(app, agent, new_complaint(app, agent), "300.00").get_json()["id"]
    room = login("room1")
    page = room.web.get(f"/refund-inbox/decide/{refund}").get_data(as_text=True)
    assert "300.00" in page and "data-confirm=" in page
    response = room.web.post(f"/refund-inbox/decide/{refund}", data={"decision": "approve", "note": "同意退费"})
    assert response.status_code == 302
    assert agent.get(f"/api/v1/refund/{refund}").get_json()["result"]["status"] == "approved"
    assert f'/decide/{refund}"' not in room.web.get("/refund-inbox/list/").get_data(as_text=True)


def test_beyond_authority_in_the_inbox_is_refused_and_nothing_saved(app, login):
    center = login("center1")
    refund = request_refund(app, center, new_complaint(app, center, prepaid=False), "2500.00", "goodwill").get_json()
    assert center.web.get(f"/refund-inbox/decide/{refund['id']}").status_code == 404
    response = center.web.post(
        f"/refund-inbox/decide/{refund['id']}", data={"decision": "approve"}, query_string={"_l_": "en"}
    )
    assert response.status_code == 404
    assert center.get(f"/api/v1/refund/{refund['id']}").get_json()["result"]["status"] == "pending"


# The boundaries of §2.5 through the form, as test_api_refund.BOUNDARIES has them through the API.
@pytest.mark.parametrize(("requester", "prepaid", "type_code", "amount", "status", "level"), BOUNDARIES)
def test_authority_at_every_boundary_through_the_form(app, login, requester, prepaid, type_code, amount, status, level):
    client = login(requester)
    number = complaint_number(app, new_complaint(app, client, prepaid=prepaid))
    response = client.web.post(
        "/refunds/add", data=form(app, number, amount=amount, refund_type=str(refund_type_id(app, type_code)))
    )
    assert response.status_code == 302
    with app.app_context():
        refund = db.session.query(RefundRequest).one()
        assert (str(refund.amount), refund.status, refund.required_level) == (amount, status, level)


def test_a_manager_of_the_unit_dispatched_to_only_proposes_through_the_form(app, login):
    """§2: the form decides at creation by the same rule as the API and the inbox."""
    complaint = dispatched_complaint(app, login)
    netmgr = login("netmgr1")
    data = form(
        app, complaint_number(app, complaint), amount="1500.00", refund_type=str(refund_type_id(app, "goodwill"))
    )
    assert netmgr.web.post("/refunds/add", data=data).status_code == 302
    with app.app_context():
        refund = db.session.query(RefundRequest).one()
        assert (refund.status, refund.required_level, refund.decided_by) == ("pending", "center_manager", None)
        refund_id = refund.id
    assert netmgr.web.get(f"/refund-inbox/decide/{refund_id}").status_code == 404
    center = login("center1")
    assert center.web.post(f"/refund-inbox/decide/{refund_id}", data={"decision": "approve"}).status_code == 302
    assert center.get(f"/api/v1/refund/{refund_id}").get_json()["result"]["status"] == "approved"


def test_rejecting_needs_a_reason_in_the_form_and_the_api(app, login):
    agent = login("agent1")
    refund = request_refund(app, agent, new_complaint(app, agent), "78.10", "goodwill").get_json()["id"]
    room = login("room1")
    for blank in ("", "   "):
        page = room.web.post(
            f"/refund-inbox/decide/{refund}", data={"decision": "reject", "note": blank}, query_string={"_l_": "en"}
        )
        assert page.status_code == 200 and "Give the reason for rejecting." in page.get_data(as_text=True)
        api = room.post(f"/api/v1/refund/{refund}/decide", json={"decision": "reject", "note": blank})
        assert api.status_code == 422 and "Give the reason for rejecting." in api.get_json()["message"]["note"]
    assert agent.get(f"/api/v1/refund/{refund}").get_json()["result"]["status"] == "pending"
    rejected = room.post(f"/api/v1/refund/{refund}/decide", json={"decision": "reject", "note": "非公司原因,已解释"})
    assert rejected.get_json()["result"]["status"] == "rejected"


def test_the_decision_page_shows_the_refunds_so_far_and_why_this_level(app, login):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    request_refund(app, agent, complaint, "300.00")
    second = request_refund(app, agent, complaint, "250.00").get_json()["id"]
    other = request_refund(app, agent, new_complaint(app, agent), "40.00").get_json()["id"]
    page = login("center1").web.get(f"/refund-inbox/decide/{second}", query_string={"_l_": "en"})
    text = page.get_data(as_text=True)
    assert 'id="complaint-refunds"' in text and "300.00" in text and "250.00" in text
    assert "running total (approved and pending): ¥550.00" in text
    assert 'id="customer-refunds"' in text and "40.00" in text and other
    assert "is ¥550.00" in text and "up to ¥2,000.00" in text


def test_after_requesting_the_agent_sees_the_request_and_whether_it_waits(app, login):
    agent = login("agent1")
    number = complaint_number(app, new_complaint(app, agent))
    response = agent.web.post("/refunds/add", data=form(app, number), query_string={"_l_": "en"})
    assert response.status_code == 302 and "/refunds/show/" in response.headers["Location"]
    shown = agent.web.get(response.headers["Location"], query_string={"_l_": "en"}).get_data(as_text=True)
    assert "pending: it needs a decision by" in shown


def test_the_timeline_lists_the_request_before_its_decision(app, login):
    agent = login("agent1")
    complaint = new_complaint(app, agent)
    direct = request_refund(app, agent, complaint, "30.00").get_json()  # within the agent's authority
    assert direct["result"]["status"] == "approved"
    story = agent.web.get(f"/complaints/show/{complaint}", query_string={"_l_": "en"}).get_data(as_text=True)
    timeline = story[story.index('id="timeline"') :]
    assert timeline.index("Refund of ¥30.00 requested") < timeline.index("Refund of ¥30.00: Approved")
