"""The home page as each role's dashboard: its own work, every number the count of the list it links to."""

import re
from datetime import timedelta

from sqlalchemy import insert, update

from app import clock
from app.extensions import db
from app.models import Alert, Complaint, Dispatch
from tests.helpers import complaint_body, department_id
from tests.test_api_refund import request_refund


def record(app, client, **changes) -> int:
    response = client.post("/api/v1/complaint/", json=complaint_body(app, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def number_of(app, complaint_id) -> str:
    with app.app_context():
        return db.session.get(Complaint, complaint_id).number


def figures(client) -> dict[str, tuple[int, str]]:
    """The dashboard's numbers: {title: (count, link)}."""
    html = client.web.get("/", query_string={"_l_": "en"}).get_data(as_text=True)
    figure = r'class="dashboard-figure[^"]*" href="([^"]+)"[^>]*>\s*<span[^>]*>(\d+)</span><br>([^<]+)</a>'
    found = re.findall(figure, html)
    return {title.strip(): (int(count), url.replace("&amp;", "&")) for url, count, title in found}


def listed(client, url) -> int:
    response = client.web.get(url + ("&" if "?" in url else "?") + "_l_=en")
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    match = re.search(r"<strong>Record Count:</strong>\s*(\d+)", html)
    if match is None:
        assert "No records found" in html, url
        return 0
    return int(match.group(1))


def arrange(app, login) -> dict:
    """agent1: a complaint dispatched to NET, late, with a refund waiting; a major one. agent2: one."""
    agent = login("agent1")
    late = record(app, agent, topic="宽带时断时续")
    response = agent.post(f"/api/v1/complaint/{late}/dispatch", json={"department": department_id(app, "NET")})
    assert response.status_code == 200, response.get_json()
    assert request_refund(app, agent, late, "300.00").status_code == 201
    major = record(app, agent, topic="营业厅冲突", severity="major", major_type="general")
    other = record(app, login("agent2"), topic="套餐资费不符")
    with app.app_context():
        db.session.execute(
            update(Dispatch).where(Dispatch.complaint_id == late).values(reply_due=clock.now() - timedelta(hours=1))
        )
        db.session.execute(
            insert(Alert).values(
                rule="leadership_report", complaint_id=major, criterion=3, recipients=["leader1"], key="home-test"
            )
        )
        db.session.commit()
    return {"late": late, "major": major, "other": other}


def test_frontline_sees_its_own_open_complaints_with_time_left(app, login):
    rows = arrange(app, login)
    agent1 = login("agent1").web.get("/", query_string={"_l_": "en"}).get_data(as_text=True)
    agent2 = login("agent2").web.get("/", query_string={"_l_": "en"}).get_data(as_text=True)
    assert number_of(app, rows["late"]) in agent1 and number_of(app, rows["major"]) in agent1
    assert number_of(app, rows["other"]) not in agent1
    assert number_of(app, rows["other"]) in agent2 and number_of(app, rows["late"]) not in agent2
    assert re.search(r"\d+d \d+h left|\d+h \d+min left", agent1)
    assert figures(login("agent1"))["My open complaints"][0] == 2
    assert figures(login("agent2"))["My open complaints"][0] == 1
    assert 'id="dashboard-manager"' not in agent1 and 'id="dashboard-leadership"' not in agent1


def test_an_agent_s_overdue_figure_counts_the_complaints_they_received(app, login):
    arrange(app, login)  # agent1's dispatch is late; agent2, of the same team, received nothing late
    assert figures(login("agent1"))["My overdue complaints"][0] == 1
    assert figures(login("agent2"))["My overdue complaints"][0] == 0
    # What the whole team's late work is, the manager reads under its own name.
    assert "Overdue complaints I can see" not in figures(login("agent2"))
    assert figures(login("center1"))["Overdue complaints I can see"][0] == 1


def test_managers_see_their_approvals_and_their_department_s_late_dispatches(app, login):
    arrange(app, login)
    room = figures(login("room1"))
    net = figures(login("netroom1"))
    assert room["Refunds awaiting my approval"][0] == 1
    assert net["Refunds awaiting my approval"][0] == 0
    assert net["Overdue dispatches of my department"][0] == 1
    assert room["Overdue dispatches of my department"][0] == 0
    assert "Reports to company leadership" not in net


def test_leadership_sees_its_reports_major_complaints_and_the_trend(app, login):
    rows = arrange(app, login)
    leader = login("leader1")
    board = figures(leader)
    assert board["Reports to company leadership"][0] == 1
    assert board["Major complaints"][0] == 1
    html = leader.web.get("/", query_string={"_l_": "en"}).get_data(as_text=True)
    assert number_of(app, rows["major"]) in html
    [data] = re.findall(r'<script type="application/json" id="chart-data"[^>]*>(.*?)</script>', html, re.S)
    import json

    [trend] = json.loads(data)
    today = clock.to_local(clock.now()).date().isoformat()
    assert trend["labels"][-1] == today
    assert sum(series["data"][-1] for series in trend["series"]) == 3
    assert 'id="dashboard-leadership"' not in login("netmgr1").web.get("/").get_data(as_text=True)


def test_every_number_is_the_count_of_the_list_it_links_to(app, login):
    arrange(app, login)
    for username in ("agent1", "room1", "netroom1", "center1", "leader1"):
        client = login(username)
        board = figures(client)
        assert len(board) >= 3, username
        for title, (count, url) in board.items():
            assert listed(client, url) == count, (username, title, url)


def test_admin_and_anonymous_get_no_dashboard(app, login):
    assert 'id="dashboard-frontline"' not in login("admin").web.get("/").get_data(as_text=True)
    assert 'id="dashboard-frontline"' not in app.test_client().get("/").get_data(as_text=True)


def repeat_figure(client) -> tuple[str, int, str]:
    [(title, (count, url))] = [(t, f) for t, f in figures(client).items() if t.startswith("Repeat complaints")]
    return title, count, url


def test_managers_see_the_repeat_complaints_of_what_they_can_see_and_their_rate(app, login):
    agent = login("agent1")
    first = record(app, agent, customer_phone="13900001111", topic="信号差")
    again = record(app, agent, customer_phone="13900001111", topic="信号还是差")
    record(app, agent, customer_phone="13900002222", topic="信号差")
    record(app, login("hall1"), customer_phone="13900003333", topic="营业厅排队")
    with app.app_context():
        assert db.session.get(Complaint, again).repeat_of_id == first
    centre = login("center1")
    title, count, url = repeat_figure(centre)
    assert count == 1
    # The customer service centre's manager sees the hotline's three complaints, not the service hall's.
    assert title == "Repeat complaints, last 30 days (33.3% of 3)"
    assert listed(centre, url) == 1
    assert repeat_figure(login("leader1"))[0] == "Repeat complaints, last 30 days (25.0% of 4)"
    assert repeat_figure(login("netroom1"))[0] == "Repeat complaints, last 30 days (0.0% of 0)"
    assert not [t for t in figures(agent) if t.startswith("Repeat complaints")]
