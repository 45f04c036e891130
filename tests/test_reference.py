"""The process's copy of departments and categories (app.reference): a change is seen by the next complaint.

The rule: a change committed by this process is seen at once; a change made elsewhere
(another process, here a statement behind the sessions' back) within REFERENCE_TTL seconds.
"""

from sqlalchemy import update

from app import reference
from app.extensions import appbuilder, db
from app.models import Category
from app.security import viewer_for
from tests.helpers import complaint_body, department_id

API = "/api/v1/complaint/"
RECEIVED = "2026-11-20T09:30:00+08:00"


def _new_category(login, hours: int) -> int:
    body = {"code": "ref_test", "name": "缓存测试", "first_contact_hours": hours, "final_result_hours": hours}
    response = login("admin").post("/api/v1/category/", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _receive(app, login, category: int) -> dict:
    response = login("agent1").post(API, json=complaint_body(app, category=category, received_at=RECEIVED))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


def test_a_new_category_is_taken_by_the_next_complaint_with_its_deadlines(app, login):
    _receive(app, login, complaint_body(app)["category"])  # the copy exists before the category
    category = _new_category(login, 6)
    result = _receive(app, login, category)
    assert result["category"] == category
    assert result["first_reply_due"] == "2026-11-20T15:30:00+08:00"


def test_changed_deadlines_apply_to_the_next_complaint(app, login):
    category = _new_category(login, 6)
    assert _receive(app, login, category)["resolve_due"] == "2026-11-20T15:30:00+08:00"
    response = login("admin").put(f"/api/v1/category/{category}", json={"final_result_hours": 12})
    assert response.status_code == 200, response.get_json()
    assert _receive(app, login, category)["resolve_due"] == "2026-11-20T21:30:00+08:00"


def test_a_deleted_category_is_refused_by_the_next_complaint(app, login):
    category = _new_category(login, 6)
    assert login("admin").delete(f"/api/v1/category/{category}").status_code == 200
    response = login("agent1").post(API, json=complaint_body(app, category=category))
    assert response.status_code == 422
    assert "No such record" in str(response.get_json()["message"]["category"])


def test_a_new_department_counts_in_the_next_request_of_this_process(app, login):
    with app.app_context():  # the copy exists before the department
        before = viewer_for(appbuilder.sm.find_user(username="center1")).department_ids
    response = login("admin").post(
        "/api/v1/department/",
        json={"code": "T-REF-TEAM", "name": "新班组", "kind": "team", "parent": department_id(app, "CSC-HOT-A")},
    )
    assert response.status_code == 201, response.get_json()
    new = response.get_json()["id"]
    with app.app_context():  # center1 manages CSC, above CSC-HOT-A: the new team is in his rows now
        assert new not in before
        assert new in viewer_for(appbuilder.sm.find_user(username="center1")).department_ids
    # And it may be named at once as the department responsible.
    body = complaint_body(app, responsible_department=new)
    assert login("agent1").post(API, json=body).status_code == 201


def test_a_change_made_elsewhere_is_seen_once_the_copy_has_aged(app, login, monkeypatch):
    category = _new_category(login, 6)
    assert _receive(app, login, category)["resolve_due"] == "2026-11-20T15:30:00+08:00"
    with app.app_context(), db.engine.begin() as connection:  # as another process would
        connection.execute(update(Category.__table__).where(Category.id == category).values(final_result_hours=12))
    # Within REFERENCE_TTL this process keeps its copy …
    assert _receive(app, login, category)["resolve_due"] == "2026-11-20T15:30:00+08:00"
    # … and reads the tables again once the copy is older than that.
    monkeypatch.setattr(reference, "REFERENCE_TTL", 0)
    assert _receive(app, login, category)["resolve_due"] == "2026-11-20T21:30:00+08:00"
