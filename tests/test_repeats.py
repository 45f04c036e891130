"""Repeat complaints (重复投诉): flagged and linked by every door, at the 30-day boundary and per category."""

from datetime import datetime, timedelta

import prison
import pytest

from app import clock
from app.extensions import db
from app.models import Complaint, Department
from app.repeats import repeat_rate, repeat_rate_by
from tests.helpers import category_id, complaint_body, department_id
from tests.test_views_complaint import form_data

API = "/api/v1/complaint/"
NEW = datetime(2026, 11, 20, 10, 0, tzinfo=clock.local_zone())


def file(app, client, received_at: datetime, phone="13900139000", category="network_coverage", topic="信号差"):
    body = complaint_body(
        app,
        customer_phone=phone,
        category=category_id(app, category),
        topic=topic,
        received_at=received_at.isoformat(),
    )
    response = client.post(API, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


# (the earlier complaint received this long before the new one, category of the new one, repeat?)
BOUNDARIES = [
    (timedelta(days=29, hours=23, minutes=59), "network_coverage", True),  # 29 days 23:59
    (timedelta(days=30), "network_coverage", True),  # exactly 30 days: inclusive
    (timedelta(days=30, minutes=1), "network_coverage", False),  # 30 days and 1 minute
    (timedelta(days=1), "bill_dispute", False),  # same phone, another category
]


@pytest.mark.parametrize(("before", "category", "repeat"), BOUNDARIES)
def test_the_repeat_rule_at_its_boundary_over_the_api(app, login, before, category, repeat):
    agent = login("agent1")
    earlier = file(app, agent, NEW - before)
    new = file(app, agent, NEW, category=category, topic="又来了")
    assert (new["is_repeat"], new["repeat_of"]) == (repeat, earlier["id"] if repeat else None)
    assert earlier["is_repeat"] is False


def test_another_phone_is_not_a_repeat_and_the_link_is_the_most_recent_earlier_one(app, login):
    agent = login("agent1")
    file(app, agent, NEW - timedelta(days=20))
    latest = file(app, agent, NEW - timedelta(days=3))
    file(app, agent, NEW - timedelta(days=1), phone="13700137000")
    new = file(app, agent, NEW)
    assert new["repeat_of"] == latest["id"]
    assert file(app, agent, NEW, phone="13600136000")["is_repeat"] is False


def test_the_form_flags_a_repeat_too(app, login):
    agent = login("agent1")
    earlier = file(app, agent, NEW - timedelta(days=30))
    data = form_data(app, customer_phone="13900139000", received_at=f"{NEW:%Y-%m-%d %H:%M}")
    data["category"] = str(category_id(app, "network_coverage"))
    assert agent.web.post("/complaints/add", data=data).status_code == 302
    with app.app_context():
        new = db.session.query(Complaint).order_by(Complaint.id.desc()).first()
        assert (new.is_repeat, new.repeat_of_id) == (True, earlier["id"])


def test_a_script_flags_a_repeat_and_an_edit_of_the_category_unlinks_it(app, login):
    agent = login("agent1")
    earlier = file(app, agent, NEW - timedelta(days=2))
    new = file(app, agent, NEW)
    assert new["repeat_of"] == earlier["id"]
    response = agent.put(f"{API}{new['id']}", json={"category": category_id(app, "tariff")})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"]["is_repeat"] is False
    with app.app_context():
        row = db.session.get(Complaint, new["id"])
        row.category_id = category_id(app, "network_coverage")
        db.session.commit()
        assert (row.is_repeat, row.repeat_of_id) == (True, earlier["id"])


def test_the_repeat_flag_shows_on_the_page_and_filters_the_lists(app, login):
    agent = login("agent1")
    earlier = file(app, agent, NEW - timedelta(days=5))
    new = file(app, agent, NEW)
    page = agent.web.get(f"/complaints/show/{new['id']}").get_data(as_text=True)
    assert 'id="repeat-flag"' in page
    assert f'href="/complaints/show/{earlier["id"]}">{earlier["number"]}</a>' in page
    assert 'id="repeat-flag"' not in agent.web.get(f"/complaints/show/{earlier['id']}").get_data(as_text=True)
    query = prison.dumps({"filters": [{"col": "is_repeat", "opr": "eq", "value": True}]})
    ids = agent.get(API, query_string={"q": query}).get_json()["ids"]
    assert ids == [new["id"]]
    listed = agent.web.get("/complaints/list/", query_string={"_flt_0_is_repeat": "y"}).get_data(as_text=True)
    assert new["number"] in listed and earlier["number"] not in listed


def test_the_repeat_rate_is_counted_in_the_database_per_period_and_department(app, login):
    agent, hall = login("agent1"), login("hall1")
    file(app, agent, NEW - timedelta(days=2))
    file(app, agent, NEW)  # a repeat, received by the hotline team
    file(app, hall, NEW, phone="13700137000")
    file(app, hall, NEW + timedelta(hours=1), phone="13700137000", category="tariff")  # not a repeat
    start, end = NEW - timedelta(days=10), NEW + timedelta(days=1)
    with app.app_context():
        assert repeat_rate(start, end) == (1, 4)
        assert repeat_rate(NEW, end) == (1, 3)  # the period is [start, end)
        assert repeat_rate(start, end, departments=[department_id(app, "CSC-HOT-A")]) == (1, 2)
        assert repeat_rate(start, end, departments=[department_id(app, "BR-GC-H1")]) == (0, 2)
        assert repeat_rate(start, end, departments=[]) == (0, 0)
        by_department = repeat_rate_by(start, end, Complaint.receiving_department_id)
        hall_id = db.session.query(Department.id).filter_by(code="BR-GC-H1").scalar()
        assert (hall_id, 0, 2) in by_department


def test_a_repeat_of_a_complaint_the_user_cannot_open_is_flagged_but_not_described(app, login):
    hall, agent = login("hall1"), login("agent1")
    theirs = file(app, hall, NEW - timedelta(days=3))
    mine = file(app, agent, NEW)
    assert mine["repeat_of"] == theirs["id"]
    page = agent.web.get(f"/complaints/show/{mine['id']}", query_string={"_l_": "en"}).get_data(as_text=True)
    assert "an earlier complaint you cannot open" in page
    assert theirs["number"] not in page
    assert agent.web.get(f"/complaints/show/{theirs['id']}").status_code == 404
