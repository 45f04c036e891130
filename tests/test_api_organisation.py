"""The ``department``, ``category`` and ``refund_type`` resources and their pages."""

import pytest

from app.extensions import db
from app.models import Department
from tests.helpers import department_id


def test_every_role_reads_the_department_tree_with_api_names(app, login):
    response = login("agent1").get("/api/v1/department/", query_string={"q": "(page_size:100)"})
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.get_json()["result"]}
    assert len(rows) == 32
    hotline_team = rows["CSC-HOT-A"]
    assert set(hotline_team) == {"id", "code", "name", "kind", "parent", "email", "manager", "supervising_leader"}
    assert hotline_team["parent"] == rows["CSC-HOT"]["id"]
    assert hotline_team["kind"] == "team"
    assert rows["CSC"]["supervising_leader"] is not None
    assert rows["LEAD"]["parent"] is None


def test_refund_types_say_which_are_frontline_eligible(app, login):
    rows = login("agent1").get("/api/v1/refund_type/").get_json()["result"]
    assert {row["code"]: row["frontline_eligible"] for row in rows} == {
        "monternet": True,
        "missed_gift": True,
        "billing_error": False,
        "goodwill": False,
    }


def test_categories_are_the_fourteen_of_the_spec(app, login):
    rows = login("hall1").get("/api/v1/category/", query_string={"q": "(page_size:100)"}).get_json()["result"]
    assert [row["code"] for row in rows] == [
        "network_coverage",
        "call_quality",
        "mobile_data",
        "bill_dispute",
        "tariff",
        "value_added",
        "promotion",
        "transaction",
        "topup",
        "hall_service",
        "hotline_service",
        "group_customer",
        "handset_sim",
        "other",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "bad code", "name": "部", "kind": "department"}, "code"),
        ({"code": "NEW-1", "name": " ", "kind": "department"}, "name"),
        ({"code": "NEW-1", "name": "部", "kind": "division"}, "kind"),
        ({"code": "NEW-1", "name": "部", "kind": "room", "email": "not-an-address"}, "email"),
        ({"code": "NEW-1", "name": "部", "kind": "room", "parent": 99999}, "parent"),
    ],
)
def test_invalid_departments_get_422_and_save_nothing(app, login, body, field):
    response = login("admin").post("/api/v1/department/", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["message"]
    with app.app_context():
        assert db.session.query(Department).filter_by(code="NEW-1").count() == 0


def test_a_duplicate_code_is_a_conflict(app, login):
    response = login("admin").post("/api/v1/department/", json={"code": "CSC", "name": "重复", "kind": "center"})
    assert response.status_code == 409
    assert "already used" in response.get_json()["message"]


def test_a_department_cannot_move_below_its_own_child(app, login):
    admin = login("admin")
    parent = admin.post("/api/v1/department/", json={"code": "T-PARENT", "name": "上级", "kind": "center"})
    child = admin.post(
        "/api/v1/department/",
        json={"code": "T-CHILD", "name": "下级", "kind": "room", "parent": parent.get_json()["id"]},
    )
    response = admin.put(f"/api/v1/department/{parent.get_json()['id']}", json={"parent": child.get_json()["id"]})
    assert response.status_code == 422
    assert "parent" in response.get_json()["message"]


def test_a_department_in_use_cannot_be_deleted(app, login):
    response = login("admin").delete(f"/api/v1/department/{department_id(app, 'CSC-HOT-A')}")
    assert response.status_code == 409
    assert department_id(app, "CSC-HOT-A") is not None


def test_admin_adds_a_department_by_form_and_bad_input_keeps_the_form(app, login):
    admin = login("admin")
    bad = admin.web.post(
        "/departments/add",
        data={"code": "lower case", "name": "新部门", "kind": "room", "email": ""},
        query_string={"_l_": "en"},
    )
    assert bad.status_code == 200
    page = bad.get_data(as_text=True)
    assert "capital letters" in page and "新部门" in page
    good = admin.web.post(
        "/departments/add",
        data={"code": "NEW-ROOM", "name": "新部门", "kind": "room", "parent": str(department_id(app, "CSC"))},
    )
    assert good.status_code == 302
    assert department_id(app, "NEW-ROOM") is not None


def test_catalogue_codes_are_checked(app, login):
    response = login("admin").post("/api/v1/category/", json={"code": "Bad Code", "name": "分类"})
    assert response.status_code == 422
    assert "code" in response.get_json()["message"]


@pytest.mark.parametrize(("hours", "status"), [(1, 201), (72, 201), (None, 201), (0, 422), (-4, 422), (24 * 91, 422)])
def test_admin_sets_a_categorys_deadlines_in_whole_hours(app, login, hours, status):
    body = {"code": "test_hours", "name": "时限测试", "dispatch_reply_hours": hours}
    response = login("admin").post("/api/v1/category/", json=body)
    assert response.status_code == status
    if status == 201:
        assert response.get_json()["result"]["dispatch_reply_hours"] == hours
    else:
        assert "dispatch_reply_hours" in response.get_json()["message"]
