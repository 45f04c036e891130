"""Long lists: counted up to a cap, shown as "10000+" beyond it; filters narrow them to exact counts."""

from sqlalchemy import func, select

from app.cli import generate_command
from app.extensions import db
from app.models import Complaint
from app.views.lists import COUNT_CAP


def _generate(app, count):
    result = app.test_cli_runner().invoke(generate_command, ["--count", str(count)])
    assert result.exit_code == 0, result.output


def test_a_list_beyond_the_cap_says_more_than_the_cap(app, login):
    _generate(app, COUNT_CAP + 5)
    leader = login("leader1")
    listed = leader.get("/api/v1/complaint/", query_string={"q": "(page_size:5)"})
    assert listed.status_code == 200
    assert listed.get_json()["count"] == COUNT_CAP + 1
    assert len(listed.get_json()["result"]) == 5
    page = leader.web.get("/complaints/list/")
    assert page.status_code == 200
    assert f"{COUNT_CAP}+" in page.get_data(as_text=True)


def test_a_filtered_list_below_the_cap_is_counted_exactly(app, login):
    _generate(app, 300)
    with app.app_context():
        received = db.session.scalar(select(func.count()).where(Complaint.status == "received"))
    leader = login("leader1")
    listed = leader.get(
        "/api/v1/complaint/", query_string={"q": "(filters:!((col:status,opr:eq,value:received)),page_size:5)"}
    )
    assert listed.status_code == 200
    assert listed.get_json()["count"] == received > 0


def test_a_rison_query_against_the_schema_is_still_refused(app, login):
    leader = login("leader1")
    for query in ("(page_size:'many')", "(filters:!((col:status)))"):
        response = leader.get("/api/v1/complaint/", query_string={"q": query})
        assert response.status_code == 400, query
        assert response.get_json()["message"]
