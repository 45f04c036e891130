"""Two people, or two processes, doing the same thing at the same moment: one outcome.

Each test starts two threads at a barrier, each with its own app context and so its
own database connection. On PostgreSQL they truly run at once; SQLite lets one
writer in at a time, which the rules must survive as well. The refund case (two
managers deciding one request) is in test_api_refund.py; eight refund requests at
once are sent here over HTTP to the app served as users start it (``python run.py``).
"""

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock, scan
from app.extensions import db
from app.models import Alert, Appraisal, Complaint, Incident, Outbox
from tests.helpers import complaint_body, department_id, new_complaint, sibling_database

API = "/api/v1/complaint/"
ROOT = Path(__file__).resolve().parents[1]
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


class ServedApp:
    """The app as a user starts it (``python run.py``: demo data on the first start, an embedded
    Redis, a worker and cron beside it) on a loopback port, in a process of its own."""

    def __init__(self, folder, database: str | None):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "REDIS_URL", "APP_ENV", "SECRET_KEY", "DEMO_PASSWORD"}
        }
        # SQLite: the default, a file in the instance folder; PostgreSQL: a database of its own.
        environment.update(INSTANCE_PATH=str(folder), PORT=str(self.port))
        if database:
            environment["DATABASE_URL"] = database
        self.log = open(folder / "server.log", "w+b")  # noqa: SIM115  closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "run.py"], cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait_until_serving()

    def _wait_until_serving(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.url}/login/", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        self.stop()
        self.log.seek(0)
        pytest.fail(f"the app did not start:\n{self.log.read().decode(errors='replace')[-3000:]}")

    def token(self, username: str) -> dict:
        response = requests.post(
            f"{self.url}/api/v1/security/login",
            json={"username": username, "password": "demo", "provider": "db"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def id_of(self, resource: str, code: str, headers: dict) -> int:
        query = f"(filters:!((col:code,opr:eq,value:{code})))"
        response = requests.get(f"{self.url}/api/v1/{resource}/", params={"q": query}, headers=headers, timeout=30)
        [found] = response.json()["ids"]
        return found

    def stop(self) -> None:
        # SIGTERM stops the worker and cron with the web process, as Ctrl-C does.
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    database = sibling_database(folder, "served", fresh=True) if os.environ.get("DATABASE_URL") else None
    server = ServedApp(folder, database)
    yield server
    server.stop()


def test_eight_refunds_at_once_on_the_served_app_leave_one_within_the_frontline_limit(served):
    """§2: eight 100.00 requests at the same instant on one prepaid complaint, over HTTP.

    They are decided one after the other: the first is the agent's own (100.00, frontline); each
    next one sees the ones before it, so the rest wait for a room manager (200.00 … 500.00) or a
    centre manager (600.00 … 800.00).
    """
    agent = served.token("agent1")
    complaint = {
        "channel": "hotline_10086",
        "category": served.id_of("category", "network_coverage", agent),
        "topic": "同时提交的退费",
        "summary": "客户梦网扣费,申请退费。",
        "customer_phone": "13800138000",
        "customer_prepaid": True,
    }
    created = requests.post(f"{served.url}/api/v1/complaint/", json=complaint, headers=agent, timeout=30)
    assert created.status_code == 201, created.text
    refund = {
        "complaint": created.json()["id"],
        "amount": "100.00",
        "refund_type": served.id_of("refund_type", "monternet", agent),
        "liability": "yes",
        "note": "梦网扣费,退还",
    }

    def request_refund():
        return requests.post(f"{served.url}/api/v1/refund/", json=refund, headers=agent, timeout=60)

    responses = at_once(*[request_refund] * 8)
    assert [getattr(response, "status_code", response) for response in responses] == [201] * 8
    results = [response.json()["result"] for response in responses]
    assert sorted((result["status"], result["required_level"]) for result in results) == [
        ("approved", "frontline"),
        *[("pending", "center_manager")] * 3,
        *[("pending", "room_manager")] * 4,
    ]
    saved = requests.get(
        f"{served.url}/api/v1/refund/",
        params={"q": f"(filters:!((col:complaint,opr:rel_o_m,value:{refund['complaint']})),page_size:20)"},
        headers=served.token("leader1"),
        timeout=30,
    ).json()["result"]
    assert sorted((row["status"], row["amount"]) for row in saved)[0] == ("approved", "100.00")
    assert [row["status"] for row in saved].count("approved") == 1


def test_refunds_through_the_form_and_the_api_at_once_are_decided_one_after_the_other(app, login):
    """The lock is in the save every door goes through: four forms and four API calls at once."""
    from app.models import RefundRequest
    from tests.conftest import Client
    from tests.test_api_refund import refund_type_id
    from tests.test_views_refund import complaint_number, form

    complaint = login("agent1").post(API, json=complaint_body(app, customer_prepaid=True)).get_json()["id"]
    number = complaint_number(app, complaint)
    body = {
        "complaint": complaint,
        "amount": "100.00",
        "refund_type": refund_type_id(app, "monternet"),
        "liability": "yes",
        "note": "梦网扣费,退还",
    }
    agents = [Client(app, username).login() for username in ("agent1", "agent2") * 4]
    for agent in agents[1::2]:
        assert agent.token
    calls = [
        lambda agent=agent: agent.web.post("/refunds/add", data=form(app, number, amount="100.00"))
        for agent in agents[::2]
    ]
    calls += [lambda agent=agent: agent.post("/api/v1/refund/", json=body) for agent in agents[1::2]]
    responses = at_once(*calls)
    assert [getattr(response, "status_code", response) for response in responses] == [302] * 4 + [201] * 4
    with app.app_context():
        saved = db.session.scalars(select(RefundRequest).where(RefundRequest.complaint_id == complaint)).all()
        assert sorted((refund.status, refund.required_level) for refund in saved) == [
            ("approved", "frontline"),
            *[("pending", "center_manager")] * 3,
            *[("pending", "room_manager")] * 4,
        ]


@pytest.mark.parametrize("already_writing", [False, True])
def test_sqlite_takes_its_write_lock_whether_or_not_a_transaction_is_open(tmp_path, already_writing):
    """app.locks on SQLite: after ``lock_row`` another connection cannot write until commit."""
    import sqlite3

    from sqlalchemy import Column, Integer, MetaData, Table, create_engine
    from sqlalchemy.orm import Session

    from app.locks import lock_row

    engine = create_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    rows = Table("row", MetaData(), Column("id", Integer, primary_key=True))
    rows.metadata.create_all(engine)
    other = sqlite3.connect(tmp_path / "lock.db", timeout=0.1, isolation_level=None)

    def other_may_write():
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # database is locked
            return False
        other.execute("ROLLBACK")
        return True

    with Session(engine) as session:
        if already_writing:
            session.connection().exec_driver_sql("SAVEPOINT before_the_lock")  # a transaction, no lock yet
        assert other_may_write()
        lock_row(session, rows.c.id, 1)
        assert not other_may_write()
        session.commit()
    assert other_may_write()
    other.close()
    engine.dispose()
