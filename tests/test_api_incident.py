"""Incidents (§3.5): reported, replied to within the hour, volume thresholds, progress mails, resolved."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from app import clock
from app.extensions import db
from app.models import Alert, Incident, Outbox
from tests.helpers import department_id, run_worker
from tests.test_api_fast import alerts, at, file
from tests.test_api_flow import run_scan

API = "/api/v1/incident/"


def wave(app, login, count=3, topic="4G 无法上网"):
    agent = login("agent1")
    results = [file(app, agent, topic=topic, received_at=at(-1, "09:00")) for _ in range(count)]
    return results[-1]["incident"]


def test_an_incident_reads_as_api_md_says(app, login):
    incident = wave(app, login)
    result = login("room1").get(f"{API}{incident}").get_json()["result"]
    assert (result["rule"], result["status"], result["volume"]) == ("hotline_shift_3", "open", 3)
    assert len(result["complaints"]) == 3
    assert set(result) >= {
        "signature",
        "discovered_at",
        "first_reply_due",
        "leadership_criteria",
        "responsible_department",
    }


def test_the_one_hour_clock_starts_at_the_report_and_a_late_reply_alerts_the_manager(app, login):
    incident = wave(app, login)
    room = login("room1")
    assert (
        login("agent2").post(f"{API}{incident}/report", json={"department": department_id(app, "NET")}).status_code
        == 403
    )
    reported = room.post(f"{API}{incident}/report", json={"department": department_id(app, "NET")})
    assert reported.status_code == 200
    result = reported.get_json()["result"]
    assert result["status"] == "reported"
    due = clock.now() + timedelta(hours=1)
    assert run_scan(app, due - timedelta(minutes=1))["late first replies alerted"] == 0
    assert run_scan(app, due + timedelta(minutes=1))["late first replies alerted"] == 1
    assert run_scan(app, due + timedelta(minutes=30))["late first replies alerted"] == 0
    assert [to for to, _c, _i in alerts(app, "first_reply_overdue")] == [["netmgr1"]]


def test_the_responsible_department_replies_then_it_is_resolved_with_the_final_result(app, login):
    incident = wave(app, login)
    login("room1").post(f"{API}{incident}/report", json={"department": department_id(app, "NET")})
    net = login("netroom1")
    assert net.post(f"{API}{incident}/first_reply", json={"text": ""}).status_code == 422
    assert (
        net.post(f"{API}{incident}/first_reply", json={"text": "基站故障,正在抢修"}).get_json()["result"]["status"]
        == "replied"
    )
    assert run_scan(app, clock.now() + timedelta(hours=2))["late first replies alerted"] == 0
    resolved = net.post(f"{API}{incident}/resolve", json={"text": "已修复"})
    assert resolved.get_json()["result"]["status"] == "resolved"
    assert net.post(f"{API}{incident}/resolve", json={"text": "再次"}).status_code == 409
    with app.app_context():
        [notice] = db.session.query(Outbox).filter_by(template="final_result").all()
        assert "csc-hot-a@dg.example.com" in notice.recipients and "mkt@dg.example.com" in notice.recipients


@pytest.mark.parametrize(
    ("volume", "rules"), [(50, []), (51, ["volume_50"]), (200, ["volume_50"]), (201, ["volume_50", "volume_200"])]
)
def test_volume_thresholds_each_alert_once(app, login, volume, rules):
    incident = wave(app, login)
    login("room1").post(f"{API}{incident}/report", json={"department": department_id(app, "NET")})
    with app.app_context():
        db.session.get(Incident, incident).volume = volume - 1
        db.session.commit()
    file(app, login("agent2"), topic="4G 无法上网", received_at=at(-1, "10:00"))  # joins: the volume reaches ``volume``

    def fired():
        with app.app_context():
            return {
                alert.rule: alert.recipients for alert in db.session.query(Alert).filter(Alert.rule.like("volume_%"))
            }

    assert sorted(fired()) == sorted(rules)
    assert {rule: to for rule, to in fired().items()} == {
        rule: {"volume_50": ["netmgr1"], "volume_200": ["leader1"]}[rule] for rule in rules
    }
    file(app, login("agent2"), topic="4G 无法上网", received_at=at(-1, "10:05"))  # one more: nothing fires twice
    with app.app_context():
        assert db.session.query(Alert).filter(Alert.rule.in_(rules)).count() == len(rules)


def test_progress_mails_after_more_than_four_days_then_daily_whatever_the_scan_frequency(app, login):
    complaint = file(app, login("agent1"), received_at=at(0, "00:00"))
    received = clock.parse_time(complaint["received_at"])
    assert run_scan(app, received + timedelta(days=4))["progress mails"] == 0
    assert run_scan(app, received + timedelta(days=4, minutes=1))["progress mails"] == 1
    assert run_scan(app, received + timedelta(days=4, hours=12))["progress mails"] == 0
    assert run_scan(app, received + timedelta(days=7, hours=1))["progress mails"] == 1  # one, after a gap
    run_worker(app)  # the worker writes the mails
    with app.app_context():
        keys = sorted(row.key for row in db.session.query(Outbox).filter_by(template="progress_report"))
        [first] = db.session.query(Outbox).filter_by(template="progress_report", key=keys[0]).all()
        assert "进展通报" in first.subject and "第4天" in first.subject
        assert "mkt@dg.example.com" in first.recipients  # the virtual team
    login("agent1").post(f"/api/v1/complaint/{complaint['id']}/resolve", json={"text": "已解决"})
    assert run_scan(app, received + timedelta(days=9))["progress mails"] == 0
    with app.app_context():
        assert db.session.query(Outbox).filter_by(template="final_result").count() == 1


def test_progress_mails_of_several_complaints_in_one_scan_each_name_their_own(app, login):
    agent = login("agent1")
    made = [file(app, agent, topic=f"进展话题{n}", received_at=at(0, "00:00")) for n in range(4)]
    received = clock.parse_time(made[0]["received_at"])
    with app.app_context():
        engine = db.engine
    sent = []

    def note(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert run_scan(app, received + timedelta(days=4, minutes=1))["progress mails"] == 4
    finally:
        event.remove(engine, "before_cursor_execute", note)
    run_worker(app)  # the worker writes the mails
    with app.app_context():
        mails = {mail.complaint_id: mail for mail in db.session.query(Outbox).filter_by(template="progress_report")}
    assert sorted(mails) == sorted(complaint["id"] for complaint in made)
    for complaint in made:
        assert complaint["number"] in mails[complaint["id"]].body
        assert "mkt@dg.example.com" in mails[complaint["id"]].recipients  # the virtual team
    # The mails' changes are written together: four statements a mail (mailboxes, template, latest
    # steps, the notice), no rule run again for each, beside the scan's own checks.
    assert len(sent) <= 20 + 4 * len(made), sent


def test_an_incident_of_more_than_200_is_reported_to_leadership_once(app, login):
    incident = wave(app, login)
    with app.app_context():
        db.session.get(Incident, incident).volume = 200
        db.session.commit()
        assert db.session.get(Incident, incident).leadership_criteria == ""
    file(app, login("agent2"), topic="4G 无法上网", received_at=at(-1, "10:00"))  # the 201st
    file(app, login("agent2"), topic="4G 无法上网", received_at=at(-1, "10:05"))
    result = login("leader1").get(f"{API}{incident}").get_json()["result"]
    assert result["leadership_criteria"] == [2]
    with app.app_context():
        reports = db.session.query(Alert).filter_by(rule="leadership_report", incident_id=incident).all()
        assert [(alert.criterion, alert.recipients) for alert in reports] == [(2, ["leader1"])]


def test_the_department_reported_to_is_alerted_and_mailed_at_once(app, login):
    incident = wave(app, login)
    net = login("netroom1")
    assert [row["rule"] for row in net.get("/api/v1/alert/").get_json()["result"]] == []
    login("room1").post(f"{API}{incident}/report", json={"department": department_id(app, "NET")})
    [(to, _complaint, reported)] = alerts(app, "incident_reported")
    assert reported == incident
    assert sorted(to) == ["netmgr1", "netroom1"]
    for username in ("netroom1", "netmgr1"):
        mine = login(username).get("/api/v1/alert/").get_json()["result"]
        assert [(row["rule"], row["incident"]) for row in mine] == [("incident_reported", incident)]
    run_worker(app)  # the worker writes the mail
    with app.app_context():
        [mail] = db.session.query(Outbox).filter(Outbox.key.startswith(f"alert:incident_reported:{incident}:")).all()
        assert mail.recipients == ["netmgr1@dg.example.com", "netroom1@dg.example.com", "net@dg.example.com"]
        assert "1" in mail.body and "网维中心" in mail.body
