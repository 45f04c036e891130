"""Who receives a notice (§1, §3.6): people, positions, department mailboxes and teams."""

from app import recipients
from app.extensions import appbuilder, db
from tests.helpers import department_id


def user_id(username):
    return appbuilder.sm.find_user(username=username).id


def test_people_by_their_own_address_in_the_order_given(app):
    with app.app_context():
        assert recipients.users([user_id("leader1"), user_id("center1")]) == [
            "leader1@dg.example.com",
            "center1@dg.example.com",
        ]


def test_an_inactive_account_receives_nothing(app):
    with app.app_context():
        user = appbuilder.sm.find_user(username="agent2")
        user.active = False
        db.session.commit()
        try:
            assert recipients.users([user.id]) == []
        finally:
            user.active = True
            db.session.commit()


def test_a_position_in_a_department(app):
    with app.app_context():
        assert recipients.position("team_leader", department_id(app, "CSC-HOT-A")) == ["teamlead1@dg.example.com"]
        assert recipients.position("marketing_manager", department_id(app, "BR-GC-H1")) == ["hallmgr1@dg.example.com"]
        assert recipients.position("team_leader", department_id(app, "BR-GC-H1")) == []


def test_departments_by_their_mailbox(app):
    with app.app_context():
        ids = [department_id(app, "NET"), department_id(app, "CSC-ZY")]
        assert recipients.departments(ids) == ["net@dg.example.com", "csc-zy@dg.example.com"]


def test_the_virtual_team_is_its_departments_mailboxes(app):
    with app.app_context():
        addresses = recipients.teams(["VIRTUAL"])
    branches = ["gc", "ca", "hm", "cp", "tx", "dc"]
    assert sorted(addresses) == sorted(
        ["mkt@dg.example.com", "csc@dg.example.com", "net@dg.example.com", "it@dg.example.com"]
        + [f"br-{branch}-svc@dg.example.com" for branch in branches]
    )


def test_a_major_complaint_team_is_its_leader_then_its_members(app):
    with app.app_context():
        assert recipients.teams(["MAJOR-BR-GC"]) == [
            "branch1@dg.example.com",
            "br-gc-svc@dg.example.com",
            "br-gc-h1@dg.example.com",
        ]


def test_combined_lists_name_each_address_once():
    assert recipients.combine(["A@x.cn", "b@x.cn"], ["a@x.cn", " ", "c@x.cn"], []) == ["A@x.cn", "b@x.cn", "c@x.cn"]
