"""The complaint page: its story, its deadlines, its buttons; the lists people work from."""

import re
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Appraisal, Department, Outbox
from tests.helpers import complaint_body, department_id
from tests.test_api_flow import act, received, run_scan


def page(client, url):
    response = client.web.get(url, query_string={"_l_": "en"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def press(client, complaint, action, **form):
    return client.web.post(f"/complaints/act/{complaint}/{action}", data=form, query_string={"_l_": "en"})


def test_the_receiver_dispatches_from_the_page_and_the_department_responds_there(app, login):
    agent, net = login("agent1"), login("netroom1")
    complaint = received(app, login)
    story = page(agent, f"/complaints/show/{complaint}")
    assert "First contact due" in story and "left" in story
    assert f"/complaints/act/{complaint}/dispatch" in story
    assert f"/complaints/act/{complaint}/respond" not in story  # not the responsible side
    response = press(agent, complaint, "dispatch", department=str(department_id(app, "NET")), note="请核查")
    assert response.status_code == 302
    story = page(net, f"/complaints/show/{complaint}")
    assert "Reply of 网维中心 due" in story
    assert f"/complaints/act/{complaint}/respond" in story
    assert press(net, complaint, "respond", text="已受理", accept="1").status_code == 302
    assert press(net, complaint, "respond", text="已查明,基站故障", accept="1").status_code == 302
    story = page(agent, f"/complaints/show/{complaint}")
    for step in ("dispatched · 网维中心", "请核查", "accepted", "已查明,基站故障"):
        assert step in story
    assert "Replied" in story


def test_the_page_refuses_what_the_api_refuses(app, login):
    agent, net = login("agent1"), login("netroom1")
    complaint = received(app, login)
    press(agent, complaint, "dispatch", department=str(department_id(app, "NET")))
    api = act(net, complaint, "respond", text="", accept=False)
    assert api.status_code == 422
    response = net.web.post(
        f"/complaints/act/{complaint}/respond",
        data={"text": "", "accept": "0"},
        query_string={"_l_": "en"},
        follow_redirects=True,
    )
    assert "This field is required." in response.get_data(as_text=True)
    assert act(agent, complaint, "urge").status_code == 200
    assert "dispatched" in act(agent, complaint, "urge").get_json()["result"]["status"]


def test_close_asks_for_confirmation_and_only_the_receiving_side_sees_it(app, login):
    agent = login("agent1")
    complaint = received(app, login)
    act(agent, complaint, "resolve", text="已解决")
    story = page(agent, f"/complaints/show/{complaint}")
    assert f"/complaints/act/{complaint}/close" in story and "data-confirm=" in story
    assert f"/complaints/act/{complaint}/close" not in page(login("agent2"), f"/complaints/show/{complaint}")
    refused = login("agent2").web.post(
        f"/complaints/act/{complaint}/close",
        data={"callback": "satisfied"},
        query_string={"_l_": "en"},
        follow_redirects=True,
    )
    assert "receiving side" in refused.get_data(as_text=True)
    assert press(agent, complaint, "close", callback="dissatisfied", note="仍不满意").status_code == 302
    story = page(agent, f"/complaints/show/{complaint}")
    assert "Dissatisfied" in story and f"/complaints/act/{complaint}/reopen" in story


def test_the_timeline_tells_refunds_and_edits(app, login):
    agent = login("agent1")
    complaint = received(app, login)
    agent.put(f"/api/v1/complaint/{complaint}", json={"topic": "室内信号差"})
    agent.post(
        "/api/v1/refund/",
        json={"complaint": complaint, "amount": "30.00", "refund_type": 1, "liability": "yes", "note": "补偿"},
    )
    story = page(agent, f"/complaints/show/{complaint}")
    assert "Received" in story
    # The edit by the field's label; the system's own changes (the same-content link) are no step.
    assert re.search(r"<td>Edited</td><td>陈晓敏</td><td>Topic</td>", story)
    assert "incident_id" not in story and ">topic<" not in story
    assert "Refund of ¥30.00 requested" in story
    assert "陈晓敏" in story and ">agent1<" not in story  # people by name, not user name


@pytest.mark.parametrize(
    ("url", "username", "shows"),
    [
        ("/complaints/mine/list/", "agent1", True),
        ("/complaints/mine/list/", "agent2", False),
        ("/complaints/dispatched/list/", "netroom1", True),
        ("/complaints/dispatched/list/", "agent1", False),
    ],
)
def test_the_lists_people_work_from(app, login, url, username, shows):
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    listing = page(login(username), url)
    assert ("家中信号差" in listing) is shows


def test_the_overdue_list(app, login):
    agent = login("agent1")
    late = agent.post(
        "/api/v1/complaint/",
        json=complaint_body(app, topic="早已超期", received_at=(clock.now() - timedelta(days=3)).isoformat()),
    ).get_json()["id"]
    received(app, login)
    listing = page(agent, "/complaints/overdue/list/")
    assert "早已超期" in listing and "家中信号差" not in listing
    act(agent, late, "resolve", text="已解决")
    assert "早已超期" not in page(agent, "/complaints/overdue/list/")


def test_alerts_reach_their_recipient_and_a_manager_publishes_the_criticism(app, login):
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    run_scan(app, clock.now() + timedelta(hours=25))
    alerts = login("netmgr1").get("/api/v1/alert/").get_json()
    assert [(row["rule"], row["complaint"], row["recipients"]) for row in alerts["result"]] == [
        ("dispatch_overdue", complaint, ["netmgr1"])
    ]
    assert login("agent1").get("/api/v1/alert/").get_json()["count"] == 0
    assert login("leader1").get("/api/v1/alert/").get_json()["count"] == 1
    assert "Dispatch reply overdue" in page(login("netmgr1"), "/alerts/list/")
    with app.app_context():
        draft = db.session.query(Appraisal).one().id
    # The criticised department does not publish its own criticism; the receiving side does.
    denied = login("netmgr1").web.post(
        f"/appraisals/decide/{draft}", data={"decision": "publish"}, query_string={"_l_": "en"}, follow_redirects=True
    )
    assert "Only a manager of the receiving side" in denied.get_data(as_text=True)
    assert login("agent1").web.post(f"/appraisals/decide/{draft}", data={"decision": "publish"}).status_code == 403
    published = login("center1").web.post(f"/appraisals/decide/{draft}", data={"decision": "publish"})
    assert published.status_code == 302
    with app.app_context():
        assert db.session.get(Appraisal, draft).status == "published"
        [notice] = db.session.query(Outbox).filter_by(template="criticism").all()
        assert notice.recipients == ["net@dg.example.com"]
    again = login("center1").web.post(
        f"/appraisals/decide/{draft}", data={"decision": "discard"}, query_string={"_l_": "en"}, follow_redirects=True
    )
    assert "already been published" in again.get_data(as_text=True)


def test_return_and_two_escalations_from_the_page(app, login):
    agent, net = login("agent1"), login("netroom1")
    complaint = received(app, login)
    press(agent, complaint, "dispatch", department=str(department_id(app, "NET")))
    no_reason = net.web.post(
        f"/complaints/act/{complaint}/respond", data={"accept": "0"}, query_string={"_l_": "en"}, follow_redirects=True
    )
    assert "This field is required." in no_reason.get_data(as_text=True)
    assert press(net, complaint, "respond", text="不属于网络问题", accept="0").status_code == 302
    assert f"/complaints/act/{complaint}/escalate" in page(agent, f"/complaints/show/{complaint}")
    press(agent, complaint, "escalate", note="退单理由不成立")
    press(agent, complaint, "escalate", note="仍未处理")
    story = page(agent, f"/complaints/show/{complaint}")
    assert "escalated · 网维中心 → 郑斌" in story and "escalated · 网维中心 → 梁国华" in story
    assert f"/complaints/act/{complaint}/escalate" not in story  # the leader was the last step


def test_the_department_accepts_then_replies_with_two_buttons_and_two_steps(app, login):
    agent, net = login("agent1"), login("netroom1")
    complaint = received(app, login)
    act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    story = page(net, f"/complaints/show/{complaint}")
    assert 'id="action-accept"' in story and 'id="action-reply"' not in story
    assert press(net, complaint, "accept").status_code == 302
    story = page(net, f"/complaints/show/{complaint}")
    assert 'id="action-accept"' not in story and 'id="action-reply"' in story
    refused = net.web.post(
        f"/complaints/act/{complaint}/reply", data={"text": ""}, query_string={"_l_": "en"}, follow_redirects=True
    )
    assert "This field is required." in refused.get_data(as_text=True)
    assert press(net, complaint, "reply", text="基站已修复").status_code == 302
    story = page(agent, f"/complaints/show/{complaint}")
    assert "accepted · 网维中心" in story and "replied · 网维中心" in story


def test_the_queue_shows_the_newest_dispatch_first_with_its_reply_due_and_no_add_or_edit(app, login):
    agent, net = login("agent1"), login("netroom1")
    older = received(app, login)
    newer = agent.post(
        "/api/v1/complaint/", json=complaint_body(app, topic="最新派单", received_at=clock.now().isoformat())
    ).get_json()["id"]
    for complaint in (older, newer):
        act(agent, complaint, "dispatch", department=department_id(app, "NET"))
    listing = page(net, "/complaints/dispatched/list/")
    assert listing.index("最新派单") < listing.index("家中信号差")
    assert "Reply due" in listing
    assert "/complaints/dispatched/add" not in listing and "/edit/" not in listing
    assert f"/complaints/dispatched/show/{newer}" in listing


@pytest.mark.parametrize("username", ["netroom1", "netmgr1"])
def test_a_department_dispatched_to_sees_but_never_edits_the_complaint(app, login, username):
    complaint = received(app, login)
    act(login("agent1"), complaint, "dispatch", department=department_id(app, "NET"))
    net = login(username)
    assert 'id="edit-complaint"' not in page(net, f"/complaints/show/{complaint}")
    opened = net.web.get(f"/complaints/edit/{complaint}", query_string={"_l_": "en"}, follow_redirects=True)
    text = opened.get_data(as_text=True)
    assert "Only the receiving side edits a complaint" in text and 'name="topic"' not in text
    posted = net.web.post(
        f"/complaints/edit/{complaint}", data={"topic": "改写"}, query_string={"_l_": "en"}, follow_redirects=True
    )
    assert "Only the receiving side edits a complaint" in posted.get_data(as_text=True)
    api = net.put(f"/api/v1/complaint/{complaint}", json={"topic": "改写"})
    assert api.status_code == 403 and "receiving side" in api.get_json()["message"]
    assert net.get(f"/api/v1/complaint/{complaint}").get_json()["result"]["topic"] == "家中信号差"
    assert 'id="edit-complaint"' in page(login("agent1"), f"/complaints/show/{complaint}")
    assert login("agent2").put(f"/api/v1/complaint/{complaint}", json={"summary": "同班组补充"}).status_code == 200


def test_the_appraisal_list_names_people_and_leaves_blank_what_is_not_there(app, login):
    """A criticism drafted for a department names no person and, undecided, no decider: blank, not "None"."""
    complaint = received(app, login)
    with app.app_context():
        net = db.session.get(Department, department_id(app, "NET"))
        db.session.add(
            Appraisal(
                complaint_id=complaint,
                kind="criticism",
                status="draft",
                department=net,
                reason="派单超时未答复",
                created_on=clock.now(),
            )
        )
        db.session.commit()
        db.session.remove()
    page = login("center1").web.get("/appraisals/list/").get_data(as_text=True)
    assert "派单超时未答复" in page and "网维中心" in page
    assert not re.search(r">\s*None\s*<", page)  # no cell reads None
