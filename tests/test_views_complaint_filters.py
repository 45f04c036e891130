"""The complaint lists' filter panel, the numbers as links, and the page a saved complaint opens on."""

import html
import re

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Complaint
from tests.helpers import category_id, complaint_body, department_id
from tests.test_views_complaint import form_data, post_form


def file(app, client, **changes) -> int:
    response = client.post("/api/v1/complaint/", json=complaint_body(app, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def set_columns(app, pk: int, **values) -> None:
    """Arrange a state the flow would take several actions to reach."""
    with app.app_context():
        db.session.execute(update(Complaint).where(Complaint.id == pk).values(**values))
        db.session.commit()


def listed_topics(page: str) -> set[str]:
    return set(re.findall(r"<td[^>]*>(筛选[^<]*)</td>", page))  # the topic cell carries its full text too


@pytest.fixture
def three(app, login):
    """Three complaints by agent1, received on 14, 15 and 16 November (local time), in different states."""
    agent = login("agent1")
    ids = {}
    for day, topic, category in ((14, "筛选甲", None), (15, "筛选乙", "bill_dispute"), (16, "筛选丙", None)):
        chosen = {"category": category_id(app, category)} if category else {}
        ids[topic] = file(app, agent, topic=topic, received_at=f"2026-11-{day:02d}T23:30:00+08:00", **chosen)
    set_columns(app, ids["筛选乙"], status="replied")
    set_columns(app, ids["筛选丙"], responsible_department_id=department_id(app, "NET"))
    return ids


def test_dates_filter_whole_local_days(app, login, three):
    agent = login("agent1")
    page = agent.web.get("/complaints/list/", query_string={"received_from": "2026-11-15"}).get_data(as_text=True)
    assert listed_topics(page) == {"筛选乙", "筛选丙"}
    page = agent.web.get(
        "/complaints/list/", query_string={"received_from": "2026-11-15", "received_to": "2026-11-15"}
    ).get_data(as_text=True)
    assert listed_topics(page) == {"筛选乙"}  # 23:30 local on the 15th is still the 15th


def test_status_category_and_department_are_picked_by_name(app, login, three):
    agent = login("agent1")
    page = agent.web.get("/complaints/list/?_l_=zh").get_data(as_text=True)
    assert '<option value="replied">已初步答复</option>' in page
    assert "关联" not in page and "Not In" not in page
    by_status = agent.web.get("/complaints/list/", query_string={"status": "replied"}).get_data(as_text=True)
    assert listed_topics(by_status) == {"筛选乙"}
    category = str(category_id(app, "bill_dispute"))
    by_category = agent.web.get("/complaints/list/", query_string={"category": category}).get_data(as_text=True)
    assert listed_topics(by_category) == {"筛选乙"}
    net = str(department_id(app, "NET"))
    by_department = agent.web.get("/complaints/list/", query_string={"responsible_department": net})
    assert listed_topics(by_department.get_data(as_text=True)) == {"筛选丙"}


def test_active_filters_show_as_chips_that_remove_them(app, login, three):
    agent = login("agent1")
    page = agent.web.get(
        "/complaints/list/", query_string={"status": "replied", "received_from": "2026-11-15", "_l_": "zh"}
    ).get_data(as_text=True)
    chips = re.findall(r'<span class="chip" data-filter="(\w+)">([^<]*)<a href="\?([^"]*)"', page)
    assert [(name, text) for name, text, _rest in chips] == [
        ("received_from", "受理时间起 2026-11-15"),
        ("status", "状态: 已初步答复"),
    ]
    removing_status = html.unescape(chips[1][2]).split("&")
    assert "received_from=2026-11-15" in removing_status  # the date stays
    assert not any(part.startswith("status=") for part in removing_status)


@pytest.mark.parametrize(
    "arguments",
    [
        {"received_from": "10/11/15"},
        {"received_from": "2026-13-45"},
        {"received_from": "2026-11-16", "received_to": "2026-11-15"},
        {"status": "已初步答复"},
        {"category": "99999"},
        {"receiving_department": "abc"},
    ],
)
def test_a_filter_that_names_nothing_is_refused_not_ignored(app, login, three, arguments):
    agent = login("agent1")
    response = agent.web.get("/complaints/list/", query_string={**arguments, "_l_": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "alert-danger" in page
    assert listed_topics(page) == {"筛选甲", "筛选乙", "筛选丙"}  # the list as it was, the bad filter named
    export = agent.web.get("/complaints/export", query_string=arguments)
    assert export.status_code == 400


def test_the_export_takes_the_panels_filters(app, login, three):
    from io import BytesIO

    from openpyxl import load_workbook

    agent = login("agent1")
    response = agent.web.get("/complaints/export", query_string={"status": "replied"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    assert "筛选乙" in {cell.value for row in sheet.iter_rows() for cell in row}
    assert "筛选甲" not in {cell.value for row in sheet.iter_rows() for cell in row}


def test_a_saved_complaint_opens_on_its_page_with_its_number(app, login):
    agent = login("agent1")
    response = post_form(agent, form_data(app, topic="保存后看号码"))
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.query(Complaint).filter_by(topic="保存后看号码").one()
        pk, number = complaint.id, complaint.number
    assert response.headers["Location"].endswith(f"/complaints/show/{pk}")
    page = agent.web.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Complaint recorded: number {number}." in page
    assert f'<span id="complaint-number" class="complaint-number-big">{number}</span> · 保存后看号码' in page


def test_every_complaint_number_in_the_lists_is_a_link(app, login, three):
    agent = login("agent1")
    for url in ("/complaints/list/", "/complaints/mine/list/"):
        page = agent.web.get(url).get_data(as_text=True)
        for pk in three.values():
            assert re.search(rf'<a class="complaint-number" href="/complaints/show/{pk}">DG\d{{12}}</a>', page), url


def test_the_lists_plain_columns_sort(app, login, three):
    agent = login("agent1")
    for column in ("number", "received_at", "channel", "topic", "customer_phone", "status", "is_repeat"):
        page = agent.web.get(
            "/complaints/list/", query_string={"_oc_ComplaintView": column, "_od_ComplaintView": "asc"}
        )
        assert page.status_code == 200, column
        assert f"_oc_ComplaintView={column}" in page.get_data(as_text=True), column
    ordered = agent.web.get(
        "/complaints/list/", query_string={"_oc_ComplaintView": "topic", "_od_ComplaintView": "asc"}
    )
    page = ordered.get_data(as_text=True)
    assert page.index("筛选丙") < page.index("筛选乙") < page.index("筛选甲")  # 丙 < 乙 < 甲 in code points
