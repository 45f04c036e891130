"""The complaint pages: the form keeps what was typed, the rules match the API's."""

import pytest

from app.extensions import db
from app.models import Complaint
from tests.helpers import category_id, complaint_body, complaint_count, department_id


def form_data(app, **changes):
    data = {
        "channel": "hotline_10086",
        "source": "",
        "category": str(category_id(app)),
        "topic": "家中信号差",
        "summary": "客户反映家中室内无信号。",
        "customer_phone": "13800138000",
        "customer_value": "normal",
        "received_at": "",
        "responsible_department": "",
        "disputed_amount": "",
        "cause": "unknown",
        "severity": "normal",
        "major_type": "",
        "media_level": "",
        "media_status": "",
        "hall_impact": "",
        "joint_complainants": "1",
    }
    data.update(changes)
    return data


def post_form(client, data, url="/complaints/add"):
    return client.web.post(url, data=data, query_string={"_l_": "en"})


def test_agent_records_a_complaint_by_form(app, login):
    agent = login("agent1")
    response = post_form(agent, form_data(app, received_at="2026-11-20T09:30", disputed_amount="88.5"))
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.query(Complaint).one()
        assert complaint.receiver.username == "agent1"
        assert complaint.receiving_department.code == "CSC-HOT-A"
        assert complaint.number.startswith("DG")
        assert str(complaint.disputed_amount) == "88.50"
        assert complaint.received_at.isoformat() == "2026-11-20T01:30:00+00:00"


def test_the_form_shows_the_receiving_side_but_takes_it_from_the_session_only(app, login):
    """首问负责制: the receiver and the receiving department are shown, read-only; a value
    posted for them is ignored, on add and on edit."""
    agent = login("agent1")
    page = agent.web.get("/complaints/add").get_data(as_text=True)
    assert 'name="topic"' in page
    for field, shown in (("receiver", "陈晓敏"), ("receiving_department", "10086 A班组")):
        assert f'id="{field}"' in page and f'value="{shown}"' in page
        assert page.count("readonly") >= 2
    for field in ("number", "status", "escalated"):
        assert f'name="{field}"' not in page

    forged = {"receiver": str(agent_id(app, "room1")), "receiving_department": str(department_id(app, "NET"))}
    assert post_form(agent, form_data(app, **forged)).status_code == 302
    with app.app_context():
        complaint = db.session.query(Complaint).one()
        pk = complaint.id
    edited = post_form(
        agent,
        form_data(app, topic="改过的主题", received_at="2026-11-20T09:30", **forged),
        url=f"/complaints/edit/{pk}",
    )
    assert edited.status_code == 302
    page = agent.web.get(f"/complaints/edit/{pk}").get_data(as_text=True)
    assert 'value="陈晓敏"' in page
    with app.app_context():
        complaint = db.session.get(Complaint, pk)
        assert complaint.topic == "改过的主题"
        assert (complaint.receiver.username, complaint.receiving_department.code) == ("agent1", "CSC-HOT-A")


def agent_id(app, username: str) -> int:
    from flask_appbuilder.security.sqla.models import User

    with app.app_context():
        return db.session.query(User.id).filter_by(username=username).scalar()


# The same bad values the API refuses (test_api_complaint.BAD_VALUES), typed into the form.
FORM_BAD_VALUES = [
    ("customer_phone", "1380013800", "11-digit"),
    ("customer_phone", "12800138000", "11-digit"),
    ("topic", "   ", "required"),
    ("topic", "字" * 201, "200 characters"),
    ("received_at", "2099-01-01T09:00", "future"),
    ("received_at", "yesterday", "date and time"),
    ("disputed_amount", "abc", "Not a number"),
    ("disputed_amount", "100.001", "two decimal places"),
    ("disputed_amount", "-1", "negative"),
    ("joint_complainants", "0", "At least one"),
    ("channel", "fax", "Not a valid choice"),
    ("major_type", "conflict", "Only a major complaint"),
]


@pytest.mark.parametrize(("field", "value", "message"), FORM_BAD_VALUES)
def test_an_invalid_form_keeps_what_was_typed_with_the_error_beside_the_field(app, login, field, value, message):
    before = complaint_count(app)
    data = form_data(app, **{field: value})
    response = post_form(login("agent1"), data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert "家中信号差" in page or field == "topic"  # the other values are still there
    assert complaint_count(app) == before


def test_form_and_api_refuse_the_same_phone_number(app, login):
    agent = login("agent1")
    api = agent.post("/api/v1/complaint/", json=complaint_body(app, customer_phone="12800138000"))
    form = post_form(agent, form_data(app, customer_phone="12800138000"))
    api_message = api.get_json()["message"]["customer_phone"][0]
    assert api.status_code == 422 and form.status_code == 200
    assert api_message in form.get_data(as_text=True)


def test_another_departments_complaint_is_404_on_its_page(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    assert login("agent2").web.get(f"/complaints/show/{created['id']}").status_code == 200
    assert login("hall1").web.get(f"/complaints/show/{created['id']}").status_code == 404
    assert login("hall1").web.get(f"/complaints/edit/{created['id']}").status_code == 404


def test_the_list_shows_only_visible_complaints(app, login):
    login("agent1").post("/api/v1/complaint/", json=complaint_body(app, topic="热线投诉"))
    login("hall1").post("/api/v1/complaint/", json=complaint_body(app, channel="service_hall", topic="营业厅投诉"))
    hotline = login("agent2").web.get("/complaints/list/").get_data(as_text=True)
    assert "热线投诉" in hotline and "营业厅投诉" not in hotline
    everything = login("leader1").web.get("/complaints/list/").get_data(as_text=True)
    assert "热线投诉" in everything and "营业厅投诉" in everything


def test_editing_by_form_keeps_the_receiver_and_the_received_time(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    with app.app_context():
        received_at = db.session.get(Complaint, created["id"]).received_at
    response = post_form(
        login("agent2"),
        form_data(
            app,
            topic="室内信号差",
            responsible_department=str(department_id(app, "NET")),
            received_at=created["result"]["received_at"][:16],
        ),
        url=f"/complaints/edit/{created['id']}",
    )
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.get(Complaint, created["id"])
        assert (complaint.topic, complaint.receiver.username) == ("室内信号差", "agent1")
        assert complaint.responsible_department.code == "NET"
        assert complaint.received_at == received_at  # seconds kept, though the input shows minutes


def test_an_optional_department_select_offers_a_dash_for_none(app, login):
    page = login("agent1").web.get("/complaints/add").get_data(as_text=True)
    assert '<option selected value="__None">—</option>' in page or '<option value="__None">—</option>' in page
