"""Related rows offered to a user (API ``_info``, form drop-downs, search filters): only their own,
a page at a time (app/views/related.py). The hall's front desk (hall1, BR-GC-H1) must not read
the hotline's complaints or refunds (CSC-HOT-A) through any of them."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import RefundRequest
from app.views.related import PAGE_SIZE
from tests.helpers import complaint_body

ISSUE_QUERY = "(add_columns:(refunds:(page:0,page_size:100)),keys:!(add_columns))"


@pytest.fixture
def two_sides(app, login):
    """A complaint with a refund on each side: the hotline's (agent1) and the hall's (hall1)."""
    made = {}
    for side, username in (("hotline", "agent1"), ("hall", "hall1")):
        client = login(username)
        response = client.post("/api/v1/complaint/", json=complaint_body(app, topic=f"下拉 {side}"))
        assert response.status_code == 201, response.get_json()
        complaint = response.get_json()["result"]
        refund = client.post(
            "/api/v1/refund/",
            json={
                "complaint": complaint["id"],
                "amount": "30.00",
                "refund_type": 1,
                "liability": "yes",
                "note": "下拉",
            },
        )
        assert refund.status_code == 201, refund.get_json()
        made[side] = {"complaint": complaint, "refund": refund.get_json()["id"]}
    return made


def _all_values(info: dict) -> list[str]:
    return [
        value["value"]
        for key in ("add_columns", "edit_columns")
        for field in info.get(key, [])
        for value in field.get("values", [])
    ]


def test_the_issues_info_query_lists_no_refund_and_no_complaint_of_another_side(app, login, two_sides):
    hall = login("hall1")
    response = hall.get("/api/v1/complaint/_info", query_string={"q": ISSUE_QUERY})
    assert response.status_code == 200
    info = response.get_json()
    # What a client may send on POST, no more: no refunds, dispatches, events, repeat_of, incident.
    assert [field["name"] for field in info["add_columns"]][:3] == ["channel", "source", "category"]
    assert not {"refunds", "dispatches", "events", "repeat_of", "incident", "receiver"} & {
        field["name"] for field in info["add_columns"]
    }
    with app.app_context():
        refunds = {str(refund) for refund in db.session.scalars(select(RefundRequest))}
        db.session.remove()
    values = _all_values(info)
    assert not refunds & set(values)
    assert two_sides["hotline"]["complaint"]["number"] not in values


@pytest.mark.parametrize("resource", ["incident", "alert"])
def test_a_read_only_resource_offers_nothing_to_write(login, two_sides, resource):
    for query in (ISSUE_QUERY, "(add_columns:(complaints:(page:0,page_size:100),complaint:(page_size:100)))"):
        response = login("hall1").get(f"/api/v1/{resource}/_info", query_string={"q": query})
        assert response.status_code == 200
        info = response.get_json()
        assert info["add_columns"] == []
        assert info.get("edit_columns", []) == []


def test_the_refund_forms_complaints_are_the_callers_own_paged_and_searchable(app, login, two_sides):
    hall = login("hall1")
    own, other = two_sides["hall"]["complaint"], two_sides["hotline"]["complaint"]

    def complaints(options: str) -> dict:
        q = f"(add_columns:(complaint:({options})),keys:!(add_columns))"
        response = hall.get("/api/v1/refund/_info", query_string={"q": q})
        assert response.status_code == 200
        return next(field for field in response.get_json()["add_columns"] if field["name"] == "complaint")

    everything = complaints("page:0,page_size:100")
    assert {value["value"] for value in everything["values"]} == {own["number"]}
    assert everything["count"] == 1
    assert complaints(f"filter:'{own['number'][-4:]}'")["values"] == [{"id": own["id"], "value": own["number"]}]
    found = complaints(f"filter:'{other['number']}'")
    assert (found["count"], found["values"]) == (0, [])
    assert complaints("page:1,page_size:1")["values"] == []
    # "every complaint number" cannot be paged through: a page holds at most the API's largest page.
    assert len(login("leader1").get("/api/v1/refund/_info").get_json()["add_columns"][0]["values"]) <= PAGE_SIZE


def test_the_group_list_no_longer_renders_every_complaint_into_its_filter(app, login, two_sides):
    page = login("hall1").web.get("/handling-groups/list/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Neither side's complaint is written into the page: the filter asks for them as it is typed.
    assert two_sides["hotline"]["complaint"]["number"] not in html
    assert two_sides["hall"]["complaint"]["number"] not in html
    assert re.search(r'data-ajax--url=\\?"/complaints/choices', html)


def test_the_drop_down_answers_with_the_users_own_rows_a_page_at_a_time(app, login, two_sides):
    hall = login("hall1").web
    own, other = two_sides["hall"]["complaint"], two_sides["hotline"]["complaint"]
    body = hall.get("/complaints/choices").get_json()
    assert body == {"results": [{"id": own["id"], "text": own["number"]}], "pagination": {"more": False}}
    assert hall.get("/complaints/choices", query_string={"q": other["number"]}).get_json()["results"] == []
    assert hall.get("/complaints/choices", query_string={"q": own["number"][-4:]}).get_json()["results"] == [
        {"id": own["id"], "text": own["number"]}
    ]
    # A page is PAGE_SIZE rows; the next one is there to ask for.
    client = login("hall1")
    for index in range(PAGE_SIZE):
        assert client.post("/api/v1/complaint/", json=complaint_body(app, topic=f"翻页 {index}")).status_code == 201
    first = hall.get("/complaints/choices", query_string={"page": "1"}).get_json()
    second = hall.get("/complaints/choices", query_string={"page": "2"}).get_json()
    assert len(first["results"]) == PAGE_SIZE and first["pagination"]["more"] is True
    assert len(second["results"]) == 1 and second["pagination"]["more"] is False
    shown = {row["id"] for row in first["results"] + second["results"]}
    assert len(shown) == PAGE_SIZE + 1 and other["id"] not in shown


def test_a_signed_out_drop_down_asks_for_a_sign_in(app):
    response = app.test_client().get("/complaints/choices")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
