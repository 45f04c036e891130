"""Customer history (客户历史) on the complaint page and beside the form: only what the user may open."""

import re

from tests.helpers import complaint_body
from tests.test_api_refund import request_refund

API = "/api/v1/complaint/"
PHONE = "13500135000"


def file(app, client, **changes):
    response = client.post(API, json=complaint_body(app, customer_phone=PHONE, customer_prepaid=True, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


def history(client, phone=PHONE, **args):
    response = client.get(f"{API}history", query_string={"phone": phone, **args})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


def test_the_history_lists_what_the_user_may_open_and_counts_the_rest(app, login):
    agent, hall, leader = login("agent1"), login("hall1"), login("leader1")
    first = file(app, agent, topic="话费多扣")
    second = file(app, agent, topic="再次投诉")
    assert request_refund(app, agent, first["id"], "30.00").status_code == 201
    assert agent.post(f"{API}{first['id']}/resolve", json={"text": "已退费"}).status_code == 200
    assert agent.post(f"{API}{first['id']}/close", json={"callback": "satisfied", "note": "满意"}).status_code == 200
    other = file(app, hall, topic="营业厅投诉")

    mine = history(agent)
    assert [item["number"] for item in mine["complaints"]] == [second["number"], first["number"]]
    assert (mine["total"], mine["hidden"], mine["this_month"]) == (3, 1, 3)
    assert [(item["complaint"], item["amount"]) for item in mine["refunds"]] == [(first["number"], "30.00")]
    assert [(item["number"], item["callback"]) for item in mine["callbacks"]] == [(first["number"], "Satisfied")]
    assert other["number"] not in str(mine)

    theirs = history(hall)
    assert [item["number"] for item in theirs["complaints"]] == [other["number"]]
    assert (theirs["hidden"], theirs["refunds"], theirs["callbacks"]) == (2, [], [])

    everything = history(leader, exclude=second["id"])
    assert [item["number"] for item in everything["complaints"]] == [other["number"], first["number"]]
    assert (everything["total"], everything["hidden"]) == (2, 0)


def test_a_malformed_number_has_no_history(app, login):
    agent = login("agent1")
    file(app, agent)
    for phone in ("1350013500", "abc", "", f"{PHONE}%"):
        assert history(agent, phone)["complaints"] == []
    assert login("admin").get(f"{API}history", query_string={"phone": PHONE}).status_code == 403


def test_the_complaint_page_shows_the_history_without_the_complaint_itself(app, login):
    agent, hall = login("agent1"), login("hall1")
    earlier = file(app, agent, topic="第一次")
    file(app, hall, topic="营业厅")
    now = file(app, agent, topic="第二次")
    page = agent.web.get(f"/complaints/show/{now['id']}", query_string={"_l_": "en"}).get_data(as_text=True)
    panel = page[page.index('id="customer-history"') :]
    assert f'href="/complaints/show/{earlier["id"]}">{earlier["number"]}</a>' in panel
    assert f'/complaints/show/{now["id"]}"' not in panel
    assert "Earlier complaints from this number: 2, 2 of them this month." in panel
    assert "1 more you cannot open." in panel


def test_the_form_fetches_the_history_as_the_phone_is_typed(app, login):
    page = login("agent1").web.get("/complaints/add").get_data(as_text=True)
    assert 'data-url="/api/v1/complaint/history"' in page
    script = re.search(r'<script src="/static/js/history.js" nonce="([^"]+)"></script>', page)
    assert script is not None
    start = page.index('id="customer-history"')
    assert not re.search(r"\son[a-z]+=", page[start : page.index("</div>", start)])  # no inline handlers (CSP)
