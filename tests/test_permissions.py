"""Who may do what (SPEC.md §1–2): the whole permission matrix, then over HTTP.

The expectations are written out here, not derived from app/security.py, so that
a change to the roles shows up as a failing row.
"""

from itertools import pairwise
from types import SimpleNamespace

import pytest
from flask_appbuilder.security.sqla.models import PermissionView

from app.extensions import appbuilder, db
from tests.helpers import complaint_body

READ = {"can_list", "can_show"}
WRITE = {"can_add", "can_edit", "can_delete"}

OWN_ACCOUNT = {
    ("UserDBModelView", "can_userinfo"),
    ("ResetMyPasswordView", "can_this_form_get"),
    ("ResetMyPasswordView", "can_this_form_post"),
    ("UserInfoEditView", "can_this_form_get"),
    ("UserInfoEditView", "can_this_form_post"),
}
READ_ORGANISATION = {
    (view, permission) for view in ("Department", "Category", "RefundType", "Team") for permission in READ
}
ORGANISATION_MENUS = {
    (menu, "menu_access") for menu in ("Organisation", "Departments", "Categories", "Refund types", "Teams")
}
COMPLAINT_WORK = {
    ("Complaint", permission) for permission in ("can_list", "can_show", "can_add", "can_edit", "can_act")
} | {
    (menu, "menu_access")
    for menu in (
        "Complaint handling",
        "Complaints",
        "My complaints",
        "Dispatched to my department",
        "Overdue complaints",
        "Alerts",
        "Commendations and criticisms",
    )
}
READ_ALERTS = {("Alert", "can_list"), ("Alert", "can_show"), ("Appraisal", "can_list"), ("Appraisal", "can_show")}
READ_ALERTS |= {
    ("Incident", "can_list"),
    ("Incident", "can_show"),
    ("Incident", "can_act"),
    ("Incidents", "menu_access"),
}
REQUEST_REFUNDS = {
    ("Refund", "can_list"),
    ("Refund", "can_show"),
    ("Refund", "can_add"),
    ("Refund requests", "menu_access"),
}
DECIDE_REFUNDS = {
    ("Refund", "can_decide"),
    ("RefundInbox", "can_list"),
    ("RefundInbox", "can_decide"),
    ("Approvals inbox", "menu_access"),
}
# §6: managers commend, criticise, and publish or discard drafted criticisms.
READ_ALERTS |= {
    ("HandlingGroup", "can_list"),
    ("HandlingGroup", "can_show"),
    ("Temporary handling groups", "menu_access"),
}
# Files on the rows one may see, and the printable notices about them (their owners' rights decide further).
DOCUMENTS = {
    ("Attachment", "can_list"),
    ("Attachment", "can_show"),
    ("Attachment", "can_add"),
    ("Document", "can_show"),
}
APPRAISE = {("Appraisal", "can_add"), ("Appraisal", "can_decide"), ("HandlingGroup", "can_act")}
# §6: the monthly bulletin is a managers' report.
READ_BULLETIN = {("Bulletin", "can_show"), ("Monthly bulletin", "menu_access")}
# §2.5 小额赠费监控: room managers and above audit their subtree's direct refunds.
MONITOR_REFUNDS = {("RefundMonitoring", "can_list"), ("Small-refund monitoring", "menu_access")}
IMPORT = {("Complaint", "can_import"), ("Import complaints", "menu_access")}
WORK = COMPLAINT_WORK | REQUEST_REFUNDS | DECIDE_REFUNDS | READ_ALERTS | APPRAISE | DOCUMENTS
WORK |= READ_BULLETIN | MONITOR_REFUNDS | IMPORT
FRONTLINE = (
    OWN_ACCOUNT | READ_ORGANISATION | ORGANISATION_MENUS | COMPLAINT_WORK | REQUEST_REFUNDS | READ_ALERTS | DOCUMENTS
)
# §2.5: room managers and above decide refunds.
ROOM_MANAGER = FRONTLINE | DECIDE_REFUNDS | APPRAISE | READ_BULLETIN | MONITOR_REFUNDS | IMPORT
CENTER_MANAGER = ROOM_MANAGER
LEADERSHIP = CENTER_MANAGER | {("AuditLog", "can_list"), ("AuditLog", "can_show"), ("Audit log", "menu_access")}
LEADERSHIP |= {("Outbox", "can_list"), ("Outbox", "can_show"), ("Notice outbox", "menu_access")}

EXPECTED = {
    "Frontline": FRONTLINE,
    "RoomManager": ROOM_MANAGER,
    "CenterManager": CENTER_MANAGER,
    "Leadership": LEADERSHIP,
}


def registered_permissions(app):
    with app.app_context():
        return sorted((pv.view_menu.name, pv.permission.name) for pv in db.session.query(PermissionView).all())


def has(app, role_name, view, permission) -> bool:
    with app.app_context():
        sm = appbuilder.sm
        user = SimpleNamespace(roles=[sm.find_role(role_name)], groups=[], is_authenticated=True)
        return sm._has_view_access(user, permission, view)


@pytest.mark.parametrize("role_name", list(EXPECTED))
def test_working_roles_hold_exactly_their_permissions(app, role_name):
    granted = {pair for pair in registered_permissions(app) if has(app, role_name, *pair)}
    assert granted == EXPECTED[role_name]


def test_each_higher_role_holds_the_lower_ones_rights():
    ladder = [FRONTLINE, ROOM_MANAGER, CENTER_MANAGER, LEADERSHIP]
    assert all(lower <= higher for lower, higher in pairwise(ladder))


def test_admin_configures_everything_but_does_no_complaint_work(app):
    granted = {pair for pair in registered_permissions(app) if has(app, "Admin", *pair)}
    assert granted == set(registered_permissions(app)) - WORK
    for view in ("Department", "Category", "RefundType", "StaffProfile", "Team", "UserDBModelView"):
        assert {(view, permission) for permission in READ | WRITE} <= granted
    assert ("AuditLog", "can_list") in granted
    assert not any(view == "AuditLog" and permission in WRITE for view, permission in granted)


def test_permission_names_are_exact_not_prefixes(app):
    assert has(app, "Frontline", "Complaint", "can_list")
    assert not has(app, "Frontline", "ComplaintX", "can_list")
    assert not has(app, "Frontline", "Complaint", "can_list_all")


USERS = ["agent1", "room1", "center1", "leader1", "admin"]

# (method, url, {user: expected status}) — a row per door, HTML and API.
HTTP = [
    ("GET", "/complaints/list/", {"agent1": 200, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    ("GET", "/complaints/add", {"agent1": 200, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    ("GET", "/api/v1/complaint/", {"agent1": 200, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    ("GET", "/refunds/list/", {"agent1": 200, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    ("GET", "/api/v1/refund/", {"agent1": 200, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    ("GET", "/refund-inbox/list/", {"agent1": 403, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    ("GET", "/refund-monitoring/", {"agent1": 403, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    ("GET", "/api/v1/refund_monitoring/", {"agent1": 403, "room1": 200, "center1": 200, "leader1": 200, "admin": 403}),
    (
        "GET",
        "/monitoring-thresholds/list/",
        {"agent1": 403, "room1": 403, "center1": 403, "leader1": 403, "admin": 200},
    ),
    ("GET", "/audit/list/", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 200, "admin": 200}),
    ("GET", "/api/v1/audit/", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 200, "admin": 200}),
    ("GET", "/outbox/list/", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 200, "admin": 200}),
    ("GET", "/api/v1/outbox/", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 200, "admin": 200}),
    ("GET", "/email-templates/list/", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 403, "admin": 200}),
    ("GET", "/departments/list/", {user: 200 for user in USERS}),
    ("GET", "/api/v1/department/", {user: 200 for user in USERS}),
    ("GET", "/api/v1/category/", {user: 200 for user in USERS}),
    ("GET", "/api/v1/refund_type/", {user: 200 for user in USERS}),
    ("GET", "/departments/add", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 403, "admin": 200}),
    ("GET", "/categories/add", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 403, "admin": 200}),
    ("GET", "/staff/list/", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 403, "admin": 200}),
    ("GET", "/users/list/", {"agent1": 403, "room1": 403, "center1": 403, "leader1": 403, "admin": 200}),
    ("GET", "/users/userinfo/", {user: 200 for user in USERS}),
]


def call(client, method, url, web: bool):
    if web:
        return client.web.open(url, method=method)
    return client.get(url) if method == "GET" else client.post(url, json={})


@pytest.mark.parametrize(("method", "url", "expected"), HTTP, ids=[f"{m} {u}" for m, u, _ in HTTP])
def test_each_role_reaches_exactly_its_pages_and_resources(app, login, method, url, expected):
    for username, status in expected.items():
        response = call(login(username), method, url, web=not url.startswith("/api/"))
        assert response.status_code == status, f"{username} {method} {url}"


@pytest.mark.parametrize(
    ("resource", "body"),
    [
        ("department", {"code": "TEST-1", "name": "测试部", "kind": "department"}),
        ("category", {"code": "test_category", "name": "测试分类"}),
        ("refund_type", {"code": "test_type", "name": "测试类型", "frontline_eligible": False}),
    ],
)
def test_only_admin_writes_the_organisation_and_catalogues(app, login, resource, body):
    for username in ["agent1", "room1", "center1", "leader1"]:
        assert login(username).post(f"/api/v1/{resource}/", json=body).status_code == 403
    created = login("admin").post(f"/api/v1/{resource}/", json=body)
    assert created.status_code == 201
    assert {key: created.get_json()["result"][key] for key in body} == body


def test_nobody_deletes_complaints_or_writes_the_audit_log(app, login):
    created = login("agent1").post("/api/v1/complaint/", json=complaint_body(app)).get_json()
    for username in ["agent1", "leader1", "admin"]:
        client = login(username)
        assert client.delete(f"/api/v1/complaint/{created['id']}").status_code in (404, 405)
        assert client.post("/api/v1/audit/", json={}).status_code in (404, 405)
        assert client.delete("/api/v1/audit/1").status_code in (404, 405)
        assert client.web.get(f"/complaints/delete/{created['id']}").status_code == 405  # a link deletes nothing
        assert client.web.post(f"/complaints/delete/{created['id']}").status_code in (403, 404)


@pytest.mark.parametrize(
    ("username", "sees_audit_menu", "sees_complaint_menu"),
    [("agent1", False, True), ("center1", False, True), ("leader1", True, True), ("admin", True, False)],
)
def test_the_menu_shows_what_the_role_may_open(app, login, username, sees_audit_menu, sees_complaint_menu):
    page = login(username).web.get("/users/userinfo/", query_string={"_l_": "en"}).get_data(as_text=True)
    assert ("/audit/list/" in page) is sees_audit_menu
    assert ("/complaints/list/" in page) is sees_complaint_menu
