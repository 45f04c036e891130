"""The audit log (§8): every change recorded, from every door; nobody edits it."""

import pytest

from app.extensions import db
from app.models import AuditLog, Complaint
from app.models.audit import AuditLogIsReadOnly, acting_as
from tests.helpers import complaint_body


def entries_for(app, complaint_id):
    with app.app_context():
        return [
            (entry.action, entry.user, entry.changes)
            for entry in db.session.query(AuditLog)
            .filter_by(table_name="complaint", row_id=complaint_id)
            .order_by(AuditLog.id)
        ]


def test_a_change_from_a_script_is_recorded_as_system(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    with app.app_context():
        db.session.get(Complaint, created["id"]).status = "dispatched"
        db.session.commit()
    action, user, changes = entries_for(app, created["id"])[-1]
    assert (action, user) == ("update", "system")
    assert changes["status"] == ["received", "dispatched"]


def test_a_job_can_name_whom_it_acts_for(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    with app.app_context(), acting_as("scan"):
        db.session.get(Complaint, created["id"]).topic = "夜间无信号"
        db.session.commit()
    assert entries_for(app, created["id"])[-1][:2] == ("update", "scan")


def test_a_delete_is_recorded_with_the_old_values(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    with app.app_context():
        db.session.delete(db.session.get(Complaint, created["id"]))
        db.session.commit()
    action, _, changes = entries_for(app, created["id"])[-1]
    assert action == "delete"
    assert changes["topic"] == ["家中信号差", None]


def test_a_rolled_back_change_leaves_no_entry(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    before = entries_for(app, created["id"])
    with app.app_context():
        db.session.get(Complaint, created["id"]).topic = "不保存"
        db.session.flush()
        db.session.rollback()
    assert entries_for(app, created["id"]) == before


def test_a_change_rolled_back_to_a_savepoint_leaves_no_entry_and_the_rest_is_kept(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    before = entries_for(app, created["id"])
    with app.app_context():
        complaint = db.session.get(Complaint, created["id"])
        complaint.topic = "保存的话题"
        db.session.flush()
        savepoint = db.session.begin_nested()
        complaint.summary = "回滚的摘要"
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
    entries = entries_for(app, created["id"])
    assert len(entries) == len(before) + 1
    action, _, changes = entries[-1]
    assert action == "update"
    assert changes["topic"] == ["家中信号差", "保存的话题"]
    assert "summary" not in changes


def test_every_save_of_a_transaction_is_recorded_when_it_commits(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    before = entries_for(app, created["id"])
    with app.app_context():
        complaint = db.session.get(Complaint, created["id"])
        complaint.topic = "第一次"
        db.session.flush()
        complaint.topic = "第二次"
        db.session.commit()
    entries = entries_for(app, created["id"])
    assert [changes.get("topic") for _action, _user, changes in entries[len(before) :]] == [
        ["家中信号差", "第一次"],
        ["第一次", "第二次"],
    ]


def test_an_update_that_changes_nothing_is_not_recorded(app, login):
    agent = login("agent1")
    created = agent.post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    agent.put(f"/api/v1/complaint/{created['id']}", json={"topic": "家中信号差"})
    assert [action for action, _, _ in entries_for(app, created["id"])] == ["create"]


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_the_log_cannot_be_changed_or_deleted(app, login, change):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    with app.app_context():
        entry = db.session.query(AuditLog).filter_by(row_id=created["id"]).first()
        if change == "edit":
            entry.user = "someone else"
        else:
            db.session.delete(entry)
        with pytest.raises(AuditLogIsReadOnly):
            db.session.commit()
        db.session.rollback()
    assert entries_for(app, created["id"])[0][1] == "agent1"


def test_leadership_reads_the_log_over_the_api_with_api_names(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    query = f"(filters:!((col:row_id,opr:eq,value:{created['id']}),(col:table_name,opr:eq,value:complaint)))"
    response = login("leader1").get("/api/v1/audit/", query_string={"q": query})
    assert response.status_code == 200
    (row,) = response.get_json()["result"]
    assert set(row) == {"id", "table", "row_id", "action", "user", "changes", "created_on"}
    assert (row["table"], row["action"], row["user"]) == ("complaint", "create", "agent1")
    assert row["changes"]["customer_phone"] == [None, "13800138000"]
    page = login("leader1").web.get(f"/audit/show/{row['id']}").get_data(as_text=True)
    assert "13800138000" in page
