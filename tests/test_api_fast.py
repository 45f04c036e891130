"""Same-content rules (§3.5) on save, over the API and the form, at their boundaries."""

from datetime import datetime, timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Alert, Complaint, Incident, Outbox
from tests.helpers import category_id, complaint_body, run_worker
from tests.test_views_complaint import form_data

API = "/api/v1/complaint/"


def at(day_offset: int, hh_mm: str) -> str:
    """A local time ``day_offset`` days from today, ISO 8601 with its offset."""
    day = clock.to_local(clock.now()).date() + timedelta(days=day_offset)
    return datetime.fromisoformat(f"{day}T{hh_mm}:00").replace(tzinfo=clock.local_zone()).isoformat()


def file(app, client, **changes):
    response = client.post(API, json=complaint_body(app, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


def alerts(app, rule):
    with app.app_context():
        return [
            (alert.recipients, alert.complaint_id, alert.incident_id)
            for alert in db.session.query(Alert).filter_by(rule=rule)
        ]


def test_the_third_same_content_complaint_of_an_agent_in_a_shift_alerts_the_team_leader(app, login):
    agent = login("agent1")
    first = file(app, agent, topic="5G 信号差", received_at=at(-1, "09:00"))
    second = file(app, agent, topic=" 5g   信号差", received_at=at(-1, "10:00"))  # the same content, typed differently
    assert alerts(app, "hotline_shift_3") == []
    third = file(app, agent, topic="5G 信号差", received_at=at(-1, "15:59"))
    [(to, complaint, incident)] = alerts(app, "hotline_shift_3")
    assert (to, complaint) == (["teamlead1"], third["id"])
    assert third["incident"] == incident
    for earlier in (first, second):
        assert agent.get(f"{API}{earlier['id']}").get_json()["result"]["incident"] == incident
    run_worker(app)  # the worker writes the notice
    with app.app_context():
        assert db.session.get(Incident, incident).volume == 3
        [notice] = db.session.query(Outbox).filter_by(template="alert").all()
        assert notice.recipients == ["teamlead1@dg.example.com"]
        assert "全班组 3 宗" in notice.body
    fourth = file(app, agent, topic="5G信号差".replace("信号", " 信号"), received_at=at(-1, "15:59"))
    assert fourth["incident"] == incident  # joins the open incident: no second alert
    assert len(alerts(app, "hotline_shift_3")) == 1


@pytest.mark.parametrize(
    ("times", "fires"),
    [
        (["08:00", "12:00", "15:59"], True),  # one shift: 08:00–16:00
        (["08:00", "12:00", "16:00"], False),  # 16:00 starts the next shift
        (["07:59", "08:00", "09:00"], False),  # 07:59 is the night shift
    ],
)
def test_shift_edges(app, login, times, fires):
    agent = login("agent1")
    for time in times:
        file(app, agent, topic="话费多扣", received_at=at(-1, time))
    assert bool(alerts(app, "hotline_shift_3")) is fires


def test_other_agents_and_other_categories_do_not_count_for_me(app, login):
    file(app, login("agent2"), topic="信号差", received_at=at(-1, "09:00"))
    file(app, login("agent2"), topic="信号差", received_at=at(-1, "09:10"))
    file(app, login("agent1"), topic="信号差", category=category_id(app, "mobile_data"), received_at=at(-1, "09:20"))
    file(app, login("agent1"), topic="信号差", received_at=at(-1, "09:30"))
    file(app, login("agent1"), topic="信号差", received_at=at(-1, "09:40"))
    assert alerts(app, "hotline_shift_3") == []


@pytest.mark.parametrize(
    ("days", "fires"),
    # Yesterday and before: "today 09:00" is still to come in the first hours of a day.
    [((-1, -1), True), ((-2, -1), True), ((-3, -1), False)],
    ids=["same day", "next day", "two days apart"],
)
def test_the_second_at_a_hall_on_the_same_or_next_day_alerts_its_marketing_manager(app, login, days, fires):
    hall = login("hall1")
    file(app, hall, channel="service_hall", topic="套餐未生效", received_at=at(days[0], "09:00"))
    file(app, hall, channel="service_hall", topic="套餐未生效", received_at=at(days[1], "00:01"))
    found = alerts(app, "hall_2days")
    assert bool(found) is fires
    if fires:
        assert found[0][0] == ["hallmgr1"]


def test_the_hotline_rule_holds_in_the_form_too(app, login):
    agent = login("agent1")
    for minute in ("00", "10", "20"):
        data = form_data(app, topic="宽带断网", received_at=at(-1, f"09:{minute}")[:16])
        assert agent.web.post("/complaints/add", data=data).status_code == 302
    assert len(alerts(app, "hotline_shift_3")) == 1


LEADERSHIP = [
    ({"lawsuit": True}, [4]),
    ({"joint_complainants": 4}, [5]),
    ({"joint_complainants": 3}, []),
    ({"hall_impact": "affected"}, [3]),
    ({"media_level": "city", "media_status": "reported_negative"}, [1]),
    ({"media_level": "city"}, []),
]


@pytest.mark.parametrize(("changes", "criteria"), LEADERSHIP)
def test_leadership_criteria_are_recorded_and_reported_once(app, login, changes, criteria):
    result = file(app, login("agent1"), **changes)
    assert result["leadership_criteria"] == criteria
    reports = alerts(app, "leadership_report")
    assert [(to, complaint) for to, complaint, _ in reports] == [(["leader1"], result["id"])] * len(criteria)
    login("agent1").put(f"{API}{result['id']}", json={"summary": "补充说明"})
    assert len(alerts(app, "leadership_report")) == len(criteria)


def test_more_than_three_escalated_same_content_complaints_report_to_leadership(app, login):
    agent = login("agent1")
    results = [
        file(app, agent, topic="营销短信骚扰", channel="letter", source="consumer_association") for _ in range(4)
    ]
    assert [r["leadership_criteria"] for r in results] == [[], [], [], [6]]


def test_a_later_edit_that_makes_a_criterion_hold_reports_it(app, login):
    agent = login("agent1")
    result = file(app, agent)
    updated = agent.put(f"{API}{result['id']}", json={"lawsuit": True}).get_json()["result"]
    assert updated["leadership_criteria"] == [4]
    with app.app_context():
        assert db.session.get(Complaint, result["id"]).leadership_criteria == "4"
    assert len(alerts(app, "leadership_report")) == 1


def test_a_defect_caused_major_complaint_needs_a_temporary_plan_within_the_hour(app, login):
    from tests.helpers import department_id
    from tests.test_api_flow import run_scan

    agent = login("agent1")
    result = file(
        app,
        agent,
        severity="major",
        major_type="general",
        cause="system_defect",
        responsible_department=department_id(app, "NET"),
    )
    due = clock.parse_time(result["temporary_plan_due"])
    assert timedelta(minutes=59) < due - clock.now() <= timedelta(hours=1)
    assert run_scan(app, due - timedelta(minutes=1))["late temporary plans alerted"] == 0
    assert run_scan(app, due + timedelta(minutes=1))["late temporary plans alerted"] == 1
    assert run_scan(app, due + timedelta(minutes=30))["late temporary plans alerted"] == 0
    [(to, complaint, _incident)] = alerts(app, "temporary_plan_overdue")
    assert (to, complaint) == (["netmgr1"], result["id"])  # the lead department's manager


def test_a_plan_in_time_raises_nothing_and_an_individual_case_needs_none(app, login):
    from tests.test_api_flow import run_scan

    agent = login("agent1")
    planned = file(app, agent, severity="major", major_type="general", cause="product_defect")
    agent.put(f"{API}{planned['id']}", json={"temporary_plan": "暂停该套餐办理,逐户回访"})
    individual = file(app, agent, severity="major", major_type="general", cause="individual")
    assert individual["temporary_plan_due"] is None
    assert run_scan(app, clock.now() + timedelta(hours=2))["late temporary plans alerted"] == 0


def test_a_conflict_complaint_keeps_its_checklist(app, login):
    agent = login("agent1")
    result = file(
        app, agent, severity="major", major_type="conflict", conflict_calmed=True, conflict_police_called=True
    )
    assert (result["conflict_calmed"], result["conflict_police_called"], result["conflict_group_formed"]) == (
        True,
        True,
        False,
    )
    page = agent.web.get(f"/complaints/show/{result['id']}", query_string={"_l_": "en"}).get_data(as_text=True)
    assert "Conflict checklist" in page and "Police (110) called" in page


def test_typing_a_topic_offers_the_topics_in_use_and_similar_complaints(app, login):
    agent = login("agent1")
    used = file(app, agent, topic="家里手机信号差")
    file(app, agent, topic="家里手机信号差")
    file(app, agent, topic="话费多扣")
    other_category = file(app, agent, topic="家里手机信号差", category=category_id(app, "bill_dispute"))
    response = agent.get(f"{API}suggest", query_string={"category": category_id(app), "topic": "家中手机信号很差"})
    assert response.status_code == 200
    body = response.get_json()
    assert [(item["topic"], item["count"]) for item in body["topics"]] == [("家里手机信号差", 2)]
    numbers = {item["number"] for item in body["similar"]}
    assert used["number"] in numbers and other_category["number"] not in numbers
    # Topics are shared company-wide; complaints only where the viewer may see them.
    hall = login("hall1").get(f"{API}suggest", query_string={"category": category_id(app), "topic": "家中手机信号很差"})
    assert hall.get_json()["topics"] and hall.get_json()["similar"] == []
    page = agent.web.get("/complaints/add").get_data(as_text=True)
    assert "js/suggest.js" in page


def test_the_rules_read_indexes_not_the_whole_table(app):
    """§3.5 rules run on every save: their counts must use the signature indexes."""
    from sqlalchemy import func, inspect, select, text

    with app.app_context():
        engine = db.engine
        indexes = {index["name"] for index in inspect(engine).get_indexes("complaint")}
        assert {"ix_complaint_signature_receiver", "ix_complaint_signature_department"} <= indexes
        if engine.dialect.name == "sqlite":
            query = (
                select(func.count())
                .select_from(Complaint)
                .where(Complaint.signature == "1:x", Complaint.receiver_id == 1, Complaint.received_at >= clock.now())
            )
            compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
            with engine.connect() as connection:
                plan = " ".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert (
                "USING COVERING INDEX ix_complaint_signature_receiver" in plan
                or "USING INDEX ix_complaint_signature_receiver" in plan
            )


def test_a_topic_differing_in_spaces_or_punctuation_joins_the_incident(app, login):
    """Issue 24: "长安镇4G信号中断" (one space less) joined nothing."""
    agent = login("agent1")
    wave = [file(app, agent, topic="长安镇 4G信号中断", received_at=at(-1, "09:00")) for _ in range(3)]
    incident = wave[-1]["incident"]
    assert incident is not None
    for typed in ("长安镇4G信号中断", "长安镇４Ｇ信号中断。", "长安镇 4G 信号中断!"):
        joined = file(app, login("agent2"), topic=typed, received_at=at(-1, "10:00"))
        assert joined["incident"] == incident, typed
    assert file(app, agent, topic="长安镇5G信号中断", received_at=at(-1, "10:00"))["incident"] is None


def test_the_suggestions_name_the_incident_a_similar_complaint_belongs_to(app, login):
    agent = login("agent1")
    wave = [file(app, agent, topic="长安镇 4G信号中断", received_at=at(0, "00:10")) for _ in range(3)]
    lone = file(app, agent, topic="长安镇4G信号时断时续", received_at=at(0, "00:20"))
    found = agent.get(f"{API}suggest", query_string={"category": category_id(app), "topic": "长安镇4G信号不好"})
    similar = {row["id"]: row["incident"] for row in found.get_json()["similar"]}
    assert similar[wave[0]["id"]] == wave[-1]["incident"]
    assert similar[lone["id"]] is None


def test_the_complaint_page_and_the_alerts_link_the_incident(app, login):
    agent = login("agent1")
    wave = [file(app, agent, topic="东城 通话断续", received_at=at(-1, "09:00")) for _ in range(3)]
    incident = wave[-1]["incident"]
    story = agent.web.get(f"/complaints/show/{wave[0]['id']}", query_string={"_l_": "en"}).get_data(as_text=True)
    assert f'href="/incidents/show/{incident}"' in story and f"Incident #{incident}" in story
    lead = login("teamlead1")
    for url in ("/alerts/list/", "/"):
        listing = lead.web.get(url, query_string={"_l_": "en"}).get_data(as_text=True)
        assert f'href="/incidents/show/{incident}"' in listing, url
    incidents = login("room1").web.get("/incidents/list/", query_string={"_l_": "en"}).get_data(as_text=True)
    assert "None" not in incidents
