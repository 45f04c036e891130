"""The ``outbox`` REST resource: read-only, the fields of API.md, for Admin and leadership."""

import pytest

from tests.helpers import change_with_notice, new_complaint

API = "/api/v1/outbox/"

FIELDS = {
    "id",
    "template",
    "recipients",
    "subject",
    "status",
    "attempts",
    "last_error",
    "key",
    "incident",
    "complaint",
    "created_on",
    "sent_on",
}


def test_a_notice_reads_with_exactly_the_fields_of_the_api(app, login, work):
    complaint_id = new_complaint(app, login("agent1"))
    outbox_id = change_with_notice(app, complaint_id, key="dispatch:api")
    response = login("leader1").get(f"{API}{outbox_id}")
    assert response.status_code == 200
    result = response.get_json()["result"]
    assert set(result) == FIELDS
    assert result["id"] == outbox_id
    assert result["template"] == "dispatch"
    assert result["recipients"] == ["net@dg.example.com"]
    assert result["subject"] is None  # written by the worker, not by the change
    assert (result["status"], result["attempts"], result["last_error"]) == ("queued", 0, None)
    assert result["key"] == "dispatch:api"
    assert (result["complaint"], result["incident"]) == (complaint_id, None)
    assert result["created_on"].endswith("+08:00")
    assert result["sent_on"] is None
    work()
    result = login("leader1").get(f"{API}{outbox_id}").get_json()["result"]
    assert set(result) == FIELDS
    assert result["subject"].startswith("【投诉派单】DG")
    assert (result["status"], result["attempts"], result["last_error"]) == ("stored", 1, None)


def test_the_list_has_the_same_fields_newest_first_and_filters(app, login):
    complaint_id = new_complaint(app, login("agent1"))
    first = change_with_notice(app, complaint_id, key="dispatch:a")
    second = change_with_notice(app, complaint_id, key="dispatch:b", department="IT")
    admin = login("admin")
    listed = admin.get(API).get_json()
    assert listed["count"] == 2
    assert [row["id"] for row in listed["result"]] == [second, first]
    assert all(set(row) == FIELDS for row in listed["result"])
    query = "(filters:!((col:key,opr:eq,value:'dispatch:a')))"
    filtered = admin.get(API, query_string={"q": query}).get_json()
    assert filtered["ids"] == [first]
    other = change_with_notice(app, new_complaint(app, login("agent1")), key="dispatch:c")
    query = f"(filters:!((col:complaint,opr:rel_o_m,value:{complaint_id})))"
    by_complaint = admin.get(API, query_string={"q": query}).get_json()
    assert sorted(by_complaint["ids"]) == [first, second]
    assert other not in by_complaint["ids"]


@pytest.mark.parametrize(("username", "status"), [("leader1", 200), ("admin", 200), ("center1", 403), ("agent1", 403)])
def test_who_reads_the_outbox(app, login, username, status):
    assert login(username).get(API).status_code == status


def test_nobody_writes_the_outbox_through_the_api(app, login):
    outbox_id = change_with_notice(app, new_complaint(app, login("agent1")))
    admin = login("admin")
    assert admin.post(API, json={"subject": "x"}).status_code == 405
    assert admin.put(f"{API}{outbox_id}", json={"status": "sent"}).status_code == 405
    assert admin.delete(f"{API}{outbox_id}").status_code == 405
