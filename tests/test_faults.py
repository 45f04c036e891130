"""Services failing in the middle of work, then coming back (docs/SECURITY.md, "Faults").

The database, Redis and the mail server are real; each test breaks one of them for
real: PostgreSQL's own ``pg_terminate_backend`` cuts the app's connection in the
middle of a transaction (on SQLite another connection holds the write lock), the
test's own Redis is shut down, the SMTP server stops. Then: nothing is half-saved,
the app answers a readable 503 or carries on, and it recovers without a restart;
no notice is lost or sent twice.
"""

import contextlib
import sqlite3
import time
from datetime import timedelta

from rq import SimpleWorker
from sqlalchemy import create_engine, event, func, select, text

from app import clock, notices, queue
from app.extensions import db
from app.models import AuditLog, Complaint, Dispatch, NumberSequence, Outbox
from app.outages import UNAVAILABLE
from tests.helpers import complaint_body, department_id, new_complaint, outbox_row
from tests.test_views_complaint import form_data
from workers import jobs

API = "/api/v1/complaint/"


def counts(app) -> dict:
    with app.app_context():
        return {
            "complaints": db.session.scalar(select(func.count(Complaint.id))),
            "dispatches": db.session.scalar(select(func.count(Dispatch.id))),
            "notices": db.session.scalar(select(func.count(Outbox.id))),
            "audit": db.session.scalar(select(func.count(AuditLog.id))),
            "numbers": db.session.scalar(select(func.coalesce(func.sum(NumberSequence.value), 0))),
        }


@contextlib.contextmanager
def database_lost_at(app, statement: str):
    """The app's connection is lost just before it runs ``statement`` (once).

    PostgreSQL: another connection terminates the app's backend, mid-transaction.
    SQLite: another connection holds the write lock for the whole block, so the
    app's first write waits out its busy timeout and fails.
    """
    with app.app_context():
        engine = db.engine
        url = engine.url
    if url.get_backend_name() != "postgresql":
        path = url.database
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    killer = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)
    armed = {"done": False}

    def terminate(conn, cursor, sql, parameters, context, executemany):
        if armed["done"] or not sql.lstrip().upper().startswith(statement.upper()):
            return
        armed["done"] = True
        pid = conn.connection.dbapi_connection.info.backend_pid
        with killer.connect() as other:
            assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(100):  # until the server has really ended it
                gone = not other.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
                if gone:
                    break
                time.sleep(0.05)

    event.listen(engine, "before_cursor_execute", terminate)
    try:
        yield armed
    finally:
        event.remove(engine, "before_cursor_execute", terminate)
        killer.dispose()
    assert armed["done"], f"the app never ran {statement}"


@contextlib.contextmanager
def connections_cut(app):
    """The database drops the app's connections between two requests (a restart, a failover).

    PostgreSQL: every other backend of the database is terminated, the app's pooled ones among
    them (the pool tests a connection only after an idle spell, so the next request finds it
    dead). SQLite: another connection holds the write lock for the whole block.
    """
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        with database_lost_at(app, "INSERT"):
            yield
        return
    killer = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)
    try:
        with killer.connect() as other:
            cut = other.scalars(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
            assert cut and all(cut)
            for _ in range(100):
                left = other.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                if not left:
                    break
                time.sleep(0.05)
        yield
    finally:
        killer.dispose()


def test_connections_cut_between_requests_the_complaint_answers_503_then_is_saved(app, login):
    """The first statement of a receipt is the lock and the facts read together (app.round_trip)."""
    agent = login("agent1")
    assert agent.post(API, json=complaint_body(app)).status_code == 201  # the pool holds a connection
    before, body = counts(app), complaint_body(app, topic="断线后的话题")
    with connections_cut(app):
        response = agent.post(API, json=body)
    assert response.status_code == 503, response.get_json()
    assert response.get_json() == {"message": str(UNAVAILABLE)}
    assert counts(app) == before

    again = agent.post(API, json=body)
    assert again.status_code == 201, again.get_json()
    assert counts(app)["complaints"] == before["complaints"] + 1
    assert counts(app)["audit"] == before["audit"] + 1


def test_database_lost_while_recording_a_complaint_over_the_api(app, login):
    agent = login("agent1")
    assert agent.token  # signed in before the outage
    before = counts(app)
    with database_lost_at(app, "INSERT INTO complaint"):
        response = agent.post(API, json=complaint_body(app))
    assert response.status_code == 503
    assert response.get_json() == {"message": str(UNAVAILABLE)}
    assert int(response.headers["Retry-After"]) > 0
    assert counts(app) == before  # not half-saved: no number taken, no audit, no notice

    # The next request works on a fresh connection, without a restart.
    again = agent.post(API, json=complaint_body(app))
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["result"]["number"].endswith("0001")
    assert counts(app)["complaints"] == before["complaints"] + 1


def test_database_lost_while_recording_a_complaint_in_the_form(app, login):
    agent = login("agent1")
    before = counts(app)
    with database_lost_at(app, "INSERT INTO complaint"):
        page = agent.web.post("/complaints/add", data=form_data(app), query_string={"_l_": "en"})
    assert page.status_code == 503
    assert str(UNAVAILABLE) in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    assert counts(app) == before
    again = agent.web.post("/complaints/add", data=form_data(app), follow_redirects=False)
    assert again.status_code == 302
    assert counts(app)["complaints"] == before["complaints"] + 1


def test_database_lost_in_the_middle_of_a_dispatch_saves_none_of_it(app, login):
    """The complaint's update and the dispatch row were sent; the notice's insert is cut."""
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    before = counts(app)
    body = {"department": department_id(app, "NET"), "note": "请核查基站"}
    with database_lost_at(app, "INSERT INTO outbox"):
        response = agent.post(f"{API}{complaint_id}/dispatch", json=body)
    assert response.status_code == 503
    assert response.get_json()["message"] == str(UNAVAILABLE)
    assert counts(app) == before
    assert agent.get(f"{API}{complaint_id}").get_json()["result"]["status"] == "received"

    done = agent.post(f"{API}{complaint_id}/dispatch", json=body)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["result"]["status"] == "dispatched"
    after = counts(app)
    assert (after["dispatches"], after["notices"]) == (before["dispatches"] + 1, before["notices"] + 1)


def test_reading_goes_on_while_writing_fails_and_after(app, login):
    leader = login("leader1")
    assert leader.token
    with database_lost_at(app, "INSERT INTO complaint"):
        assert leader.web.get("/complaints/list/").status_code == 200
        assert leader.post(API, json=complaint_body(app)).status_code == 503
    assert leader.web.get("/complaints/list/").status_code == 200
    assert leader.get(API).status_code == 200


# -- Redis ------------------------------------------------------------------------------


def test_redis_down_at_commit_the_dispatch_is_saved_and_its_notice_sent_later(
    app, login, mail_server, work, stoppable_redis
):
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    stoppable_redis.stop()
    started = time.monotonic()
    response = agent.post(f"{API}{complaint_id}/dispatch", json={"department": department_id(app, "NET")})
    assert response.status_code == 200, response.get_json()
    assert time.monotonic() - started < 3 * queue.CONNECT_TIMEOUT_SECONDS * (queue.CONNECT_RETRIES + 1)
    with app.app_context():
        [notice] = db.session.scalars(select(Outbox).where(Outbox.complaint_id == complaint_id)).all()
        outbox_id = notice.id
    assert outbox_row(app, outbox_id)["status"] == "queued"
    # The page's button, too.
    page = agent.web.post(f"/complaints/act/{complaint_id}/urge", data={"note": "请尽快"})
    assert page.status_code == 302

    stoppable_redis.start()  # empty: nothing of the outage is on it
    scan = app.test_cli_runner().invoke(args=["complaints", "scan"])
    assert "queued notices enqueued: 2" in scan.output
    work()
    assert len(mail_server.messages) == 2
    assert {row.status for row in outbox_rows(app, complaint_id)} == {"sent"}
    app.test_cli_runner().invoke(args=["complaints", "scan"])
    work()
    assert len(mail_server.messages) == 2


def outbox_rows(app, complaint_id=None, ids=()):
    where = Outbox.complaint_id == complaint_id if complaint_id else Outbox.id.in_(ids)
    with app.app_context():
        rows = db.session.scalars(select(Outbox).where(where).order_by(Outbox.id)).all()
        db.session.expunge_all()
        return rows


def test_redis_going_down_between_jobs_loses_no_notice(app, login, mail_server, stoppable_redis, monkeypatch):
    monkeypatch.setattr(notices, "BATCH", 1)  # one notice a job: Redis goes down with jobs still queued
    outbox_ids = three_dispatches(app, login("agent1"))
    jobs.use_app(app)
    with app.app_context():
        connection = queue.connection()
    SimpleWorker([queue.QUEUE_NAME], connection=connection).work(burst=True, max_jobs=1)
    assert len(mail_server.messages) == 1
    stoppable_redis.stop()  # the two jobs left on it are lost with it
    stoppable_redis.start()
    with app.app_context():
        connection = queue.connection()
    SimpleWorker([queue.QUEUE_NAME], connection=connection).work(burst=True)
    assert len(mail_server.messages) == 1
    left = len(outbox_ids) - 1
    assert [row.status for row in outbox_rows(app, ids=outbox_ids)] == ["sent"] + ["queued"] * left
    scan = app.test_cli_runner().invoke(args=["complaints", "scan"])
    assert f"queued notices enqueued: {left}" in scan.output
    SimpleWorker([queue.QUEUE_NAME], connection=connection).work(burst=True)
    assert len(mail_server.messages) == len(outbox_ids)
    assert len({message["Message-ID"] for message in mail_server.messages}) == len(outbox_ids)
    assert {row.status for row in outbox_rows(app, ids=outbox_ids)} == {"sent"}


def three_dispatches(app, agent) -> list[int]:
    """Three complaints dispatched: their notices on the queue (at least one each)."""
    complaint_ids = [new_complaint(app, agent) for _ in range(3)]
    for complaint_id in complaint_ids:
        body = {"department": department_id(app, "NET")}
        assert agent.post(f"{API}{complaint_id}/dispatch", json=body).status_code == 200
    with app.app_context():
        outbox_ids = list(db.session.scalars(select(Outbox.id).where(Outbox.complaint_id.in_(complaint_ids))))
    assert len(outbox_ids) >= 3
    return outbox_ids


# -- mail -----------------------------------------------------------------------------


def test_mail_server_down_in_the_middle_of_a_batch(app, login, mail_server, work, monkeypatch):
    """Notices on the queue; the server stops after the first of the batch: the others
    wait, are tried again when due, and each goes out exactly once."""
    outbox_ids = three_dispatches(app, login("agent1"))
    send = notices._send

    def send_then_stop(message, recipients):
        send(message, recipients)
        mail_server.stop()

    monkeypatch.setattr(notices, "_send", send_then_stop)
    work()
    monkeypatch.setattr(notices, "_send", send)
    assert len(mail_server.messages) == 1
    rows = outbox_rows(app, ids=outbox_ids)
    left = len(outbox_ids) - 1
    assert [row.status for row in rows] == ["sent"] + ["queued"] * left
    assert all("ConnectionRefusedError" in row.last_error for row in rows[1:])
    assert len(mail_server.messages) == 1

    mail_server.start()
    later = clock.to_local(max(row.next_attempt_at for row in rows[1:]) + timedelta(seconds=1)).isoformat()
    scan = app.test_cli_runner().invoke(args=["complaints", "scan", "--now", later])
    assert f"queued notices enqueued: {left}" in scan.output
    work()
    app.test_cli_runner().invoke(args=["complaints", "scan", "--now", later])
    work()
    assert [row.status for row in outbox_rows(app, ids=outbox_ids)] == ["sent"] * len(outbox_ids)
    assert len(mail_server.messages) == len(outbox_ids)
    assert len({message["Message-ID"] for message in mail_server.messages}) == len(outbox_ids)


def test_the_web_app_answers_while_the_mail_server_is_down(app, login, mail_server):
    """Mail is sent by workers, never inside a request: an outage slows no page."""
    mail_server.stop()
    agent = login("agent1")
    complaint_id = new_complaint(app, agent)
    started = time.monotonic()
    body = {"department": department_id(app, "NET")}
    assert agent.post(f"{API}{complaint_id}/dispatch", json=body).status_code == 200
    assert agent.web.get(f"/complaints/show/{complaint_id}").status_code == 200
    assert time.monotonic() - started < 5
