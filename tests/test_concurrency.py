"""Two people, or two processes, doing the same thing at the same moment: one outcome.

Each test starts two threads at a barrier, each with its own app context and so its
own database connection. On PostgreSQL they truly run at once; SQLite lets one
writer in at a time, which the rules must survive as well. The refund case (two
managers deciding one request) is in test_api_refund.py.
"""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock, scan
from app.extensions import db
from app.models import Alert, Appraisal, Complaint, Incident, Outbox
from tests.helpers import complaint_body, department_id, new_complaint

API = "/api/v1/complaint/"
TOPIC = "同一时刻的同内容投诉"


def at_once(*calls, timeout: float = 60):
    """Run the calls in threads released together; their results (or exceptions), in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=timeout)
        try:
            results[index] = call()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
    return results


def file(app, client):
    return client.post(API, json=complaint_body(app, topic=TOPIC))


def test_two_agents_filing_their_third_same_content_complaint_at_once_raise_one_alert(app, login):
    """§3.5 rule 1: the first 3rd complaint opens the incident and alerts; the other joins it."""
    agents = [login("agent1"), login("agent2")]
    for agent in agents:
        for _ in range(2):
            assert file(app, agent).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(func.count(Incident.id))) == 0

    first, second = at_once(*(lambda agent=agent: file(app, agent) for agent in agents))
    assert (first.status_code, second.status_code) == (201, 201), (first.get_json(), second.get_json())
    with app.app_context():
        [incident] = db.session.scalars(select(Incident)).all()
        thirds = [first.get_json()["id"], second.get_json()["id"]]
        assert {db.session.get(Complaint, id_).incident_id for id_ in thirds} == {incident.id}
        assert db.session.scalar(select(func.count(Alert.id)).where(Alert.rule == "hotline_shift_3")) == 1
        notices = db.session.scalars(select(Outbox.key).where(Outbox.key.like("alert:hotline_shift_3:%"))).all()
        assert len(notices) == 1


def test_two_receipts_racing_at_a_hall_open_one_incident(app, login):
    """§3.5 rule 2 (the 2nd at a hall): two counters' complaints at once, one alert."""
    hall, manager = login("hall1"), login("hallmgr1")
    first, second = at_once(lambda: file(app, hall), lambda: file(app, manager))
    assert (first.status_code, second.status_code) == (201, 201)
    with app.app_context():
        assert db.session.scalar(select(func.count(Incident.id))) == 1
        assert db.session.scalar(select(func.count(Alert.id)).where(Alert.rule == "hall_2days")) == 1


def test_the_database_refuses_a_second_open_incident_of_one_content(app):
    """The last word: whatever the code does, two unresolved incidents of one content cannot be stored."""

    def incident(status="open"):
        now = clock.now()
        return Incident(signature="1:同内容", rule="manual", topic="同内容", discovered_at=now, status=status, volume=0)

    with app.app_context():
        db.session.add(incident())
        db.session.commit()
        db.session.add(incident())
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Resolved ones do not count: the content may flare up again later.
        db.session.add(incident("resolved"))
        db.session.commit()
        assert db.session.scalar(select(func.count(Incident.id))) == 2


def test_two_scans_at_once_alert_and_draft_each_occasion_once(app, login, mail_server, work):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    response = agent.post(f"{API}{complaint_id}/dispatch", json={"department": department_id(app, "NET")})
    assert response.status_code == 200
    later = clock.now() + timedelta(days=3)

    def run_scan():
        with app.app_context():
            try:
                return scan.run(later)
            finally:
                db.session.remove()

    outcomes = at_once(run_scan, run_scan)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert sum(outcome["overdue dispatches alerted"] for outcome in outcomes) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Alert.id)).where(Alert.rule == "dispatch_overdue")) == 1
        assert db.session.scalar(select(func.count(Appraisal.id))) == 1
        keys = db.session.scalars(select(Outbox.key)).all()
        assert len(keys) == len(set(keys))
        assert sum(key.startswith("alert:dispatch_overdue:") for key in keys) == 1
    work()
    run_scan()
    work()
    # Every notice went out once: the dispatch's and the alert's.
    assert len(mail_server.messages) == len(keys)
    assert len({message["Message-ID"] for message in mail_server.messages}) == len(keys)
