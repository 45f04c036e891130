"""Small-refund monitoring (小额赠费监控): each flag at its threshold and near miss, one alert per
period, refused splitting attempts kept, rights by subtree, and the page, API and download agreeing."""

import re
from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from app import clock, monitoring
from app.extensions import appbuilder, db
from app.models import Alert, MonitoringThreshold, Outbox, RefundAttempt, StaffProfile
from app.models.refund import RefundRequest
from app.policy.monitoring import DEFAULTS
from tests.conftest import PASSWORD
from tests.helpers import complaint_body, department_id, run_worker
from tests.test_api_refund import new_complaint, request_refund

API = "/api/v1/refund_monitoring/"
MONTH = "2026-10"
# Low thresholds, so that each scenario needs few refunds.
LIMITS = {
    "daily_count": 3,
    "daily_sum": Decimal("200.00"),
    "monthly_count": 5,
    "monthly_sum": Decimal("400.00"),
    "same_customer_count": 2,
    "near_limit_from": Decimal("90.00"),
    "near_limit_count": 2,
    "split_refused_count": 1,
}


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A local time in October 2026."""
    return datetime(2026, 10, day, hour, minute, tzinfo=clock.local_zone())


@pytest.fixture
def limits(app):
    with app.app_context():
        db.session.add(MonitoringThreshold(**LIMITS))
        db.session.commit()


_phones = iter(range(10_000))


def refund(app, client, amount, when: datetime, phone: str | None = None, complaint: int | None = None) -> dict:
    """A refund requested through the API, then dated ``when`` (with its refused attempt, if any)."""
    if complaint is None:
        body = complaint_body(app, customer_prepaid=True, customer_phone=phone or f"1380000{next(_phones):04d}")
        response = client.post("/api/v1/complaint/", json=body)
        assert response.status_code == 201, response.get_json()
        complaint = response.get_json()["id"]
    response = request_refund(app, client, complaint, str(amount))
    assert response.status_code == 201, response.get_json()
    refund_id = response.get_json()["id"]
    with app.app_context():
        db.session.execute(update(RefundRequest).where(RefundRequest.id == refund_id).values(created_on=when))
        db.session.execute(update(RefundAttempt).where(RefundAttempt.refund_id == refund_id).values(created_on=when))
        db.session.commit()
    return {**response.get_json()["result"], "complaint": complaint}


def rows(client, **args) -> dict[str, dict]:
    response = client.get(API, query_string={"month": MONTH, **args})
    assert response.status_code == 200, response.get_json()
    return {row["name"]: row for row in response.get_json()["result"]}


P = "13911112222"
# (flag, refunds as (amount, when, phone), raised?) — each threshold of LIMITS, then just short of it.
SCENARIOS = [
    ("daily_count", [(10, at(5, 9)), (10, at(5, 12)), (10, at(5, 23, 59))], True),  # 3 in a local day
    ("daily_count", [(10, at(5, 9)), (10, at(5, 12)), (10, at(6, 0, 0))], False),  # the 3rd the next day
    ("daily_sum", [(100, at(5, 9)), (100, at(5, 12))], True),  # 200.00 in a day
    ("daily_sum", [(100, at(5, 9)), ("99.99", at(5, 12))], False),
    ("monthly_count", [(10, at(day)) for day in (1, 8, 15, 22, 31)], True),  # 5 in the month
    ("monthly_count", [(10, at(day)) for day in (8, 15, 22, 31)], False),
    ("monthly_sum", [(100, at(day)) for day in (1, 8, 15, 22)], True),  # 400.00
    ("monthly_sum", [(100, at(1)), (100, at(8)), (100, at(15)), ("99.99", at(22))], False),
    ("same_customer", [(10, at(2, 0, 0), P), (10, at(20), P)], True),  # exactly 30 days before the month's end
    ("same_customer", [(10, at(1, 23, 59), P), (10, at(20), P)], False),  # 30 days and 1 minute
    ("near_limit", [(90, at(3)), (95, at(4))], True),  # two from 90.00 up to the 100.00 limit
    ("near_limit", [("89.99", at(3)), (95, at(4))], False),
]


@pytest.mark.parametrize(("flag", "refunds", "raised"), SCENARIOS)
def test_each_flag_at_its_threshold_and_near_miss(app, login, limits, flag, refunds, raised):
    agent = login("agent1")
    for amount, when, *phone in refunds:
        result = refund(app, agent, amount, when, phone[0] if phone else None)
        assert (result["status"], result["required_level"]) == ("approved", "frontline")
    row = rows(login("leader1"))["陈晓敏"]
    assert (flag in row["flags"]) is raised
    assert row["count"] == len(refunds)


@pytest.mark.parametrize(("second", "raised"), [("20.00", True), ("10.00", False)])  # 110.00 vs 100.00 in all
def test_a_refund_refused_by_the_anti_splitting_rule_is_kept_and_flagged(app, login, limits, second, raised):
    agent = login("agent1")
    first = refund(app, agent, "90.00", at(3))
    later = refund(app, agent, second, at(3, 11), complaint=first["complaint"])
    assert later["status"] == ("pending" if raised else "approved")
    with app.app_context():
        attempts = db.session.query(RefundAttempt).all()
        assert [(a.stage, a.amount, a.total, a.required_level, a.refund_id) for a in attempts] == (
            [("request", Decimal(second), Decimal("90.00") + Decimal(second), "room_manager", later["id"])]
            if raised
            else []
        )
    row = rows(login("leader1"))["陈晓敏"]
    assert (row["split_refused"], "split_refused" in row["flags"]) == ((1, True) if raised else (0, False))


def test_a_refused_approval_is_kept_though_nothing_else_is_saved(app, login):
    agent, room = login("agent1"), login("room1")
    complaint = new_complaint(app, agent)
    first = request_refund(app, agent, complaint, "300.00").get_json()
    assert room.post(f"/api/v1/refund/{first['id']}/decide", json={"decision": "approve"}).status_code == 200
    second = request_refund(app, agent, complaint, "300.00").get_json()  # 600.00 in all: the centre decides
    assert second["result"]["required_level"] == "center_manager"
    response = room.post(f"/api/v1/refund/{second['id']}/decide", json={"decision": "approve"})
    assert response.status_code == 403
    assert "beyond your authority" in response.get_json()["message"]
    with app.app_context():
        assert db.session.get(RefundRequest, second["id"]).status == "pending"
        attempts = [(a.user.username, a.stage, a.amount, a.total, a.refund_id) for a in db.session.query(RefundAttempt)]
        assert attempts == [("room1", "decision", Decimal("300.00"), Decimal("600.00"), second["id"])]


def test_a_breach_alerts_the_department_manager_once_per_period(app, login, limits):
    agent = login("agent1")
    for day in (5, 6):
        for hour in (9, 10, 11):
            refund(app, agent, 10, at(day, hour))
    with app.app_context():
        assert monitoring.alert_breaches(at(31, 12)) == 3  # daily count on the 5th and the 6th; 6 in the month
        db.session.commit()
        assert monitoring.alert_breaches(at(31, 13)) == 0  # a rerun sends nothing twice
        db.session.commit()
        alerts = db.session.query(Alert).filter(Alert.rule.startswith("refund_")).order_by(Alert.key).all()
        user_id = alerts[0].key.split(":")[1]
        assert [(a.rule, a.key, a.recipients) for a in alerts] == [
            ("refund_daily_count", f"refund_daily_count:{user_id}:2026-10-05", ["center1"]),
            ("refund_daily_count", f"refund_daily_count:{user_id}:2026-10-06", ["center1"]),
            ("refund_monthly_count", f"refund_monthly_count:{user_id}:2026-10", ["center1"]),
        ]
        run_worker(app)  # the worker writes the mails
        notices = db.session.query(Outbox).filter(Outbox.key.startswith("alert:refund_")).all()
        assert len(notices) == 3 and all(n.recipients == ["center1@dg.example.com"] for n in notices)
        assert any("陈晓敏" in n.subject + n.body for n in notices)


@pytest.fixture
def hall_room_staff(app):
    """A front-line member of the complaint support room (CSC-ZY), managed by room1."""
    with app.app_context():
        sm = appbuilder.sm
        user = sm.add_user(
            "zyagent", "宋", "佳", "zyagent@dg.example.com", sm.find_role("Frontline"), password=PASSWORD
        )
        db.session.add(StaffProfile(user_id=user.id, department_id=department_id(app, "CSC-ZY")))
        db.session.commit()
        return user.id


def test_a_manager_sees_only_their_subtree(app, login, hall_room_staff):
    refund(app, login("agent1"), 10, at(5))
    refund(app, login("hall1"), 10, at(5))
    refund(app, login("zyagent"), 10, at(5))
    assert set(rows(login("leader1"))) == {"陈晓敏", "李婷", "宋佳"}
    assert set(rows(login("center1"))) == {"陈晓敏", "宋佳"}  # CSC and the rooms below it
    assert set(rows(login("branch1"))) == {"李婷"}
    room = login("room1")
    assert set(rows(room)) == {"宋佳"}
    for args in ({"staff": _user_id(app, "agent1")}, {"department": _dept(app)}):
        assert room.get(API, query_string={"month": MONTH, **args}).status_code == 404
        assert room.web.get("/refund-monitoring/", query_string={"month": MONTH, **args}).status_code == 404
        assert room.web.get("/refund-monitoring/export", query_string={"month": MONTH, **args}).status_code == 404
    assert set(rows(room, staff=hall_room_staff)) == {"宋佳"}
    assert login("agent1").get(API, query_string={"month": MONTH}).status_code == 403
    assert login("agent1").web.get("/refund-monitoring/").status_code == 403
    for month in ("2026-13", "9999-12", "0-1", "2026-10-01", "x"):
        bad = room.get(API, query_string={"month": month})
        assert bad.status_code == 400 and "YYYY-MM" in bad.get_json()["message"]
    assert room.get(API, query_string={"month": MONTH, "staff": "abc"}).status_code == 400
    assert room.web.get("/refund-monitoring/", query_string={"month": "soon"}).status_code == 400


def _user_id(app, username):
    with app.app_context():
        return appbuilder.sm.find_user(username=username).id


def _dept(app):
    return department_id(app, "CSC-HOT-A")


def page_rows(client, **args) -> dict[str, list[str]]:
    page = client.web.get("/refund-monitoring/", query_string={"month": MONTH, **args}).get_data(as_text=True)
    table = page[page.index('id="report"') :]
    found = {}
    for row in re.findall(r'<tr class="[^"]*" data-user="\d+">(.*?)</tr>', table, re.S):
        cells = dict(re.findall(r'<td class="col-(\w+)">([^<]*)</td>', row))
        found[cells["name"]] = [cells[key] for key in ("count", "sum", "max_daily_count", "near_limit")]
    return found


def export_rows(client, **args) -> dict[str, list[str]]:
    response = client.web.get("/refund-monitoring/export", query_string={"month": MONTH, **args})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    lines = list(sheet.iter_rows(values_only=True))
    return {line[0]: [str(line[2]), f"{Decimal(str(line[3])):.2f}", str(line[4]), str(line[7])] for line in lines[1:]}


@pytest.mark.parametrize(("user", "args"), [("leader1", {}), ("center1", {}), ("leader1", {"department": "BR-GC"})])
def test_the_page_the_api_and_the_download_agree(app, login, limits, user, args):
    refund(app, login("agent1"), "95.00", at(5))
    refund(app, login("agent1"), "12.50", at(5, 11))
    refund(app, login("hall1"), "40.00", at(9))
    if "department" in args:
        args = {"department": department_id(app, args["department"])}
    client = login(user)
    api = {
        name: [str(row["count"]), row["sum"], str(row["max_daily_count"]), str(row["near_limit"])]
        for name, row in rows(client, **args).items()
    }
    assert api == page_rows(client, **args) == export_rows(client, **args)
    assert api  # never three empty reports
    if user == "leader1" and not args:
        assert api["陈晓敏"] == ["2", "107.50", "2", "1"]


def test_admin_sets_the_thresholds_once_and_edits_them(app, login):
    admin = login("admin")
    form = {name: str(value) for name, value in DEFAULTS.items()}
    page = admin.web.get("/monitoring-thresholds/add").get_data(as_text=True)
    assert 'value="5"' in page  # the defaults are offered
    refused = admin.web.post("/monitoring-thresholds/add", data={**form, "near_limit_from": "100.01"})
    assert refused.status_code == 200 and "100.00" in refused.get_data(as_text=True)
    assert admin.web.post("/monitoring-thresholds/add", data={**form, "daily_count": "2"}).status_code == 302
    with app.app_context():
        assert monitoring.thresholds()["daily_count"] == 2
    again = admin.web.post("/monitoring-thresholds/add", data=form, query_string={"_l_": "en"})
    assert "edit them" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(MonitoringThreshold).count() == 1


def test_the_page_names_each_threshold_and_nothing_else(app, login):
    # Admin's list of the thresholds is opened first: the report must not pick up its row id.
    assert login("admin").web.get("/monitoring-thresholds/list/").status_code == 200
    html = login("room1").web.get("/refund-monitoring/", query_string={"_l_": "en"}).get_data(as_text=True)
    [shown] = re.findall(r'<p class="help-block" id="thresholds">(.*?)</p>', html, re.S)
    names = [part.strip().rsplit(" ", 1)[0] for part in shown.split(":", 1)[1].split("·")]
    assert names == [
        "Direct refunds per day",
        "Direct refund amount per day (yuan)",
        "Direct refunds per month",
        "Direct refund amount per month (yuan)",
        "Refunds to one customer within 30 days",
        "Just under the limit: from (yuan)",
        "Refunds just under the limit per month",
        "Refused splitting attempts per month",
    ]
