"""The process's copy of each signed-in user (app.signed_in): who asks is read once, and changes still hold.

The rule: a change to a user, its roles or its staff profile committed by this process is
seen by the next request at once (another user's change, such as a sign-in, keeps this one's
copy); a change made elsewhere (another process, here a statement behind the sessions' back)
within SIGNED_IN_TTL seconds.
"""

import time

import pytest
from sqlalchemy import event, update

from app import signed_in
from app.extensions import appbuilder, db
from tests.helpers import complaint_body, department_id

LIST = "/api/v1/complaint/"
BULLETIN = "/bulletin/"


@pytest.fixture
def agent1_restored(app):
    """agent1 as the demo made it, again after the test."""
    with app.app_context():
        user = appbuilder.sm.find_user(username="agent1")
        roles = list(user.roles)
        department = user.profile.department_id
        db.session.remove()
    yield
    with app.app_context():
        user = appbuilder.sm.find_user(username="agent1")
        user.active = True
        user.roles = [db.session.merge(role) for role in roles]
        user.profile.department_id = department
        db.session.commit()
        db.session.remove()


def _change_agent1(app, change) -> None:
    """A change saved by this process, as the admin's user pages save it."""
    with app.app_context():
        change(appbuilder.sm.find_user(username="agent1"))
        db.session.commit()
        db.session.remove()


def test_a_deactivated_user_is_refused_by_the_next_request(app, login, agent1_restored):
    agent = login("agent1")
    assert agent.get(LIST).status_code == 200
    assert agent.web.get("/complaints/list/").status_code == 200

    _change_agent1(app, lambda user: setattr(user, "active", False))

    assert agent.get(LIST).status_code == 401
    assert agent.web.get("/complaints/list/").status_code == 302  # back to the sign-in page


def test_a_role_given_is_held_by_the_next_request(app, login, agent1_restored):
    agent = login("agent1")
    assert agent.web.get(BULLETIN).status_code == 403  # the bulletin is for room managers and above

    _change_agent1(app, lambda user: user.roles.append(appbuilder.sm.find_role("RoomManager")))

    assert agent.web.get(BULLETIN).status_code == 200


def test_a_move_to_another_department_holds_for_the_next_complaint(app, login, agent1_restored):
    agent = login("agent1")
    before = agent.post(LIST, json=complaint_body(app)).get_json()["result"]
    assert before["receiving_department"] == department_id(app, "CSC-HOT-A")
    moved_to = department_id(app, "CSC-ZY")

    _change_agent1(app, lambda user: setattr(user.profile, "department_id", moved_to))

    after = agent.post(LIST, json=complaint_body(app, topic="另一个话题")).get_json()["result"]
    assert after["receiving_department"] == moved_to


def test_a_change_made_elsewhere_is_seen_once_the_copy_has_aged(app, login, agent1_restored, monkeypatch):
    agent = login("agent1")
    assert agent.get(LIST).status_code == 200
    with app.app_context(), db.engine.begin() as connection:  # as another process would
        user_id = appbuilder.sm.find_user(username="agent1").id
        connection.execute(
            update(appbuilder.sm.user_model.__table__)
            .where(appbuilder.sm.user_model.__table__.c.id == user_id)
            .values(active=False)
        )
        db.session.remove()
    # Within SIGNED_IN_TTL this process keeps its copy …
    assert agent.get(LIST).status_code == 200
    # … and reads the user again once the copy is older than that.
    monkeypatch.setattr(signed_in, "SIGNED_IN_TTL", 0)
    time.sleep(0.01)
    assert agent.get(LIST).status_code == 401


def _user_reads(app, request) -> tuple:
    """The response to ``request()`` and the statements it sent that read users."""
    read = []

    def note(conn, cursor, statement, parameters, context, executemany):
        read.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = request()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return response, [statement for statement in read if "FROM ab_user" in statement]


def test_a_request_does_not_read_its_user_again(app, login):
    agent = login("agent1")
    assert agent.post(LIST, json=complaint_body(app)).status_code == 201  # the copy is made
    response, reads = _user_reads(app, lambda: agent.get(LIST))
    assert response.status_code == 200
    assert response.get_json()["count"] == 1
    assert reads == []


def test_another_users_sign_in_keeps_my_copy_and_a_role_saved_drops_it(app, login, agent1_restored):
    agent = login("agent1")
    assert agent.get(LIST).status_code == 200  # the copy is made
    login("leader1")  # signing in writes leader1's last login
    response, reads = _user_reads(app, lambda: agent.get(LIST))
    assert response.status_code == 200
    assert reads == []

    with app.app_context():  # a role saved in this process (its permissions set): its holders are read again
        role = appbuilder.sm.find_role("Frontline")
        role.permissions = list(role.permissions)
        db.session.commit()
        db.session.remove()
    response, reads = _user_reads(app, lambda: agent.get(LIST))
    assert response.status_code == 200
    assert reads != []
