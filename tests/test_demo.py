"""The demo data of SPEC.md §1: complete, idempotent, and every user can log in."""

import pytest

from app.demo import USERS
from app.extensions import db
from app.models import Department, StaffProfile, Team

DEMO_USERS = [(username, role, department, position) for username, role, department, position, *_ in USERS]


@pytest.mark.parametrize("username", [user[0] for user in DEMO_USERS])
def test_every_demo_user_logs_in_by_form_and_by_api(app, username):
    web = app.test_client()
    response = web.post("/login/", data={"username": username, "password": "demo"})
    assert response.status_code == 302
    assert "/login" not in response.headers["Location"]
    api = app.test_client().post(
        "/api/v1/security/login", json={"username": username, "password": "demo", "provider": "db"}
    )
    assert api.status_code == 200
    assert api.get_json()["access_token"]


def test_a_wrong_password_is_refused(app):
    response = app.test_client().post(
        "/api/v1/security/login", json={"username": "agent1", "password": "wrong", "provider": "db"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(("username", "role", "department", "position"), DEMO_USERS)
def test_demo_users_have_their_role_department_and_position(app, username, role, department, position):
    with app.app_context():
        from app.extensions import appbuilder

        user = appbuilder.sm.find_user(username=username)
        assert [r.name for r in user.roles] == [role]
        profile = db.session.query(StaffProfile).filter_by(user_id=user.id).one_or_none()
        if department is None:
            assert profile is None
        else:
            assert (profile.department.code, profile.position) == (department, position)


def test_the_demo_tree_managers_and_teams(app):
    with app.app_context():
        departments = {d.code: d for d in db.session.query(Department)}
        assert len(departments) == 32
        assert departments["CSC-HOT-A"].parent.code == "CSC-HOT"
        assert departments["BR-DC-H1"].parent.code == "BR-DC"
        assert departments["BR-GC-H1"].kind == "hall"
        assert departments["CSC"].manager.username == "center1"
        assert {code for code, d in departments.items() if d.supervising_leader} == {"CSC", "NET", "IT", "MKT", "DATA"}
        assert all(d.email and d.email.endswith("@dg.example.com") for d in departments.values())
        virtual = db.session.query(Team).filter_by(code="VIRTUAL").one()
        assert sorted(member.department.code for member in virtual.members) == sorted(
            [
                "MKT",
                "CSC",
                "NET",
                "IT",
                *(f"{code}-SVC" for code in ("BR-GC", "BR-CA", "BR-HM", "BR-CP", "BR-TX", "BR-DC")),
            ]
        )
        major = db.session.query(Team).filter_by(code="MAJOR-BR-GC").one()
        assert sorted(member.department.code for member in major.members) == ["BR-GC-H1", "BR-GC-SVC"]


def test_demo_is_idempotent(app):
    from app import demo

    def counts():
        return (
            db.session.query(Department).count(),
            db.session.query(StaffProfile).count(),
            db.session.query(Team).count(),
        )

    with app.app_context():
        before = counts()
        demo.seed()
        demo.seed()
        assert counts() == before


def test_the_demo_command_refuses_production_unless_forced(app):
    app.config["APP_ENV"] = "production"
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["complaints", "demo"])
        assert result.exit_code != 0
        assert "production" in result.output
    finally:
        app.config["APP_ENV"] = "testing"
