"""The ``complaint`` REST resource: intake, validation, first contact, visibility."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.models import AuditLog, Complaint
from app.policy import ValidationFailed
from tests.helpers import category_id, complaint_body, complaint_count, department_id

API = "/api/v1/complaint/"


def test_agent_records_a_complaint_and_is_its_receiver(app, login):
    agent = login("agent1")
    response = agent.post(API, json=complaint_body(app))
    assert response.status_code == 201
    body = response.get_json()
    result = body["result"]
    assert body["id"] == result["id"]
    today = datetime.now(timezone(timedelta(hours=8))).strftime("%Y%m%d")
    assert result["number"] == f"DG{today}0001"
    assert result["status"] == "received"
    assert result["receiving_department"] == department_id(app, "CSC-HOT-A")
    with app.app_context():
        receiver = db.session.get(Complaint, body["id"]).receiver.username
    assert receiver == "agent1"
    assert result["escalated"] is False
    assert result["leadership_criteria"] == []
    assert result["received_at"].endswith("+08:00")


def test_numbers_follow_each_other_within_the_day(app, login):
    agent = login("agent1")
    numbers = [agent.post(API, json=complaint_body(app)).get_json()["result"]["number"] for _ in range(3)]
    assert [int(number[-4:]) for number in numbers] == [1, 2, 3]
    assert len({number[:10] for number in numbers}) == 1


def test_received_time_with_offset_is_kept_and_deadlines_follow(app, login):
    response = login("agent1").post(API, json=complaint_body(app, received_at="2026-11-20T09:30:00+08:00"))
    result = response.get_json()["result"]
    assert result["received_at"] == "2026-11-20T09:30:00+08:00"
    assert result["first_reply_due"] == "2026-11-21T09:30:00+08:00"
    assert result["resolve_due"] == "2026-11-22T09:30:00+08:00"


def test_received_time_without_offset_is_local_time(app, login):
    response = login("agent1").post(API, json=complaint_body(app, received_at="2026-11-20T09:30:00"))
    assert response.get_json()["result"]["received_at"] == "2026-11-20T09:30:00+08:00"
    utc = login("agent1").post(API, json=complaint_body(app, received_at="2026-11-20T01:30:00Z"))
    assert utc.get_json()["result"]["received_at"] == "2026-11-20T09:30:00+08:00"


@pytest.mark.parametrize(
    "source",
    [
        "miit",
        "group_hq",
        "provincial_ca",
        "provincial_company",
        "consumer_association",
        "petition_office",
        "media",
    ],
)
def test_outside_sources_are_escalated_whatever_the_channel(app, login, source):
    response = login("agent1").post(API, json=complaint_body(app, channel="letter", source=source))
    assert response.status_code == 201
    assert response.get_json()["result"]["escalated"] is True


def test_amounts_are_decimal_strings(app, login):
    response = login("agent1").post(API, json=complaint_body(app, disputed_amount="100.5"))
    assert response.get_json()["result"]["disputed_amount"] == "100.50"


FUTURE = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

BAD_VALUES = [
    ("channel", "fax", "Not a valid choice"),
    ("channel", 7, "Not a valid string"),
    ("source", "neighbour", "Not a valid choice"),
    ("customer_phone", "1380013800", "11-digit"),
    ("customer_phone", "12800138000", "11-digit"),
    ("customer_phone", "", "required"),
    ("topic", "", "required"),
    ("topic", "   ", "required"),
    ("topic", "字" * 201, "At most 200"),
    ("summary", "", "required"),
    ("received_at", FUTURE, "future"),
    ("received_at", "yesterday", "ISO 8601"),
    ("received_at", "2026-02-30T09:00:00+08:00", "ISO 8601"),
    ("disputed_amount", "abc", "Not a number"),
    ("disputed_amount", "100.001", "two decimal places"),
    ("disputed_amount", "-1.00", "negative"),
    ("disputed_amount", True, "decimal string"),
    ("joint_complainants", 0, "At least one"),
    ("joint_complainants", "3", "Not a valid integer"),
    ("category", 999999, "No such record"),
    ("category", None, "null"),
    ("responsible_department", 999999, "No such record"),
    ("severity", "critical", "Not a valid choice"),
    ("major_type", "conflict", "Only a major complaint"),
    ("customer_prepaid", "maybe", "Not a valid boolean"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_invalid_values_get_422_naming_the_field_and_save_nothing(app, login, field, value, message):
    before = complaint_count(app)
    response = login("agent1").post(API, json=complaint_body(app, **{field: value}))
    assert response.status_code == 422
    errors = response.get_json()["message"]
    assert field in errors
    assert message in " ".join(errors[field])
    assert complaint_count(app) == before


@pytest.mark.parametrize("missing", ["channel", "category", "topic", "summary", "customer_phone"])
def test_required_fields_missing_get_422(app, login, missing):
    body = complaint_body(app)
    del body[missing]
    response = login("agent1").post(API, json=body)
    assert response.status_code == 422
    assert missing in response.get_json()["message"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("not json", "text/plain"), ("{broken", "application/json"), ("[1, 2]", "application/json")],
)
def test_malformed_bodies_get_400(app, login, data, content_type):
    response = login("agent1").post(API, data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["message"]


@pytest.mark.parametrize("field", ["number", "receiver", "receiving_department", "status", "escalated"])
def test_read_only_fields_are_refused(app, login, field):
    response = login("agent1").post(API, json=complaint_body(app, **{field: 1}))
    assert response.status_code == 422
    assert "Read-only" in response.get_json()["message"][field][0]


def test_not_logged_in_is_401(app):
    response = app.test_client().get(API)
    assert response.status_code == 401


def test_update_keeps_receiver_and_number(app, login):
    agent = login("agent1")
    created = agent.post(API, json=complaint_body(app)).get_json()
    response = agent.put(
        f"{API}{created['id']}", json={"topic": "室内信号差", "severity": "major", "major_type": "general"}
    )
    assert response.status_code == 200
    result = response.get_json()["result"]
    assert (result["topic"], result["severity"], result["major_type"]) == ("室内信号差", "major", "general")
    assert result["number"] == created["result"]["number"]
    assert result["receiver"] == created["result"]["receiver"]
    refused = agent.put(f"{API}{created['id']}", json={"receiver": 2})
    assert refused.status_code == 422


def test_invalid_update_saves_nothing(app, login):
    agent = login("agent1")
    created = agent.post(API, json=complaint_body(app)).get_json()
    response = agent.put(f"{API}{created['id']}", json={"topic": "新主题", "customer_phone": "123"})
    assert response.status_code == 422
    assert agent.get(f"{API}{created['id']}").get_json()["result"]["topic"] == "家中信号差"


def test_a_script_cannot_change_the_receiver(app, login):
    created = login("agent1").post(API, json=complaint_body(app)).get_json()
    with app.app_context():
        complaint = db.session.get(Complaint, created["id"])
        complaint.receiver_id = complaint.receiver_id + 1
        with pytest.raises(ValidationFailed) as refused:
            db.session.commit()
        assert list(refused.value.errors) == ["receiver_id"]
        db.session.rollback()


def test_admin_does_no_complaint_work(app, login):
    admin = login("admin")
    assert admin.post(API, json=complaint_body(app)).status_code == 403
    assert admin.get(API).status_code == 403


# Row-level rights: who sees a complaint received by hotline team A (CSC-HOT-A).
VISIBILITY = [
    ("agent1", True),  # its receiver
    ("agent2", True),  # same team
    ("teamlead1", True),
    ("center1", True),  # CSC: the team is in the centre's subtree
    ("leader1", True),  # leadership sees all
    ("room1", False),  # CSC-ZY: a sibling room
    ("hall1", False),  # another branch
    ("branch1", False),
    ("netmgr1", False),
]


@pytest.mark.parametrize(("username", "visible"), VISIBILITY)
def test_who_sees_a_hotline_complaint(app, login, username, visible):
    created = login("agent1").post(API, json=complaint_body(app)).get_json()
    viewer = login(username)
    response = viewer.get(f"{API}{created['id']}")
    assert response.status_code == (200 if visible else 404)
    listed = viewer.get(API).get_json()["ids"]
    assert (created["id"] in listed) is visible
    edit = viewer.put(f"{API}{created['id']}", json={"topic": "改"})
    assert edit.status_code == (200 if visible else 404)


def test_the_responsible_department_sees_what_is_dispatched_to_it(app, login):
    body = complaint_body(app, responsible_department=department_id(app, "NET"))
    created = login("agent1").post(API, json=body).get_json()
    assert login("netroom1").get(f"{API}{created['id']}").status_code == 200
    assert login("netmgr1").get(f"{API}{created['id']}").status_code == 200


def test_every_change_is_audited_with_the_user(app, login):
    agent = login("agent1")
    created = agent.post(API, json=complaint_body(app)).get_json()
    agent.put(f"{API}{created['id']}", json={"topic": "室内信号差"})
    with app.app_context():
        entries = (
            db.session.query(AuditLog)
            .filter_by(table_name="complaint", row_id=created["id"])
            .order_by(AuditLog.id)
            .all()
        )
        assert [(entry.action, entry.user) for entry in entries] == [
            ("create", "agent1"),
            ("update", "agent1"),
        ]
        assert entries[0].changes["number"] == [None, created["result"]["number"]]
        assert entries[1].changes["topic"] == ["家中信号差", "室内信号差"]
        assert set(entries[1].changes) <= {"topic", "signature", "changed_on"}  # same content follows the topic


def test_filters_by_category_through_rison(app, login):
    agent = login("agent1")
    agent.post(API, json=complaint_body(app))
    agent.post(API, json=complaint_body(app, category=category_id(app, "bill_dispute")))
    query = f"(filters:!((col:category,opr:rel_o_m,value:{category_id(app, 'bill_dispute')})))"
    response = agent.get(API, query_string={"q": query})
    assert response.status_code == 200
    assert response.get_json()["count"] == 1


def test_messages_are_in_chinese_by_default(app, login):
    agent = login("agent1")
    response = agent.api.post(
        API,
        json=complaint_body(app, customer_phone="123"),
        headers={"Authorization": f"Bearer {agent.token}"},
    )
    assert response.status_code == 422
    assert "11位" in response.get_json()["message"]["customer_phone"][0]
