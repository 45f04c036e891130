"""The search box: numbers, phone numbers and Chinese text, through the index, within the user's rights."""

import pytest
from sqlalchemy import insert, select, text

from app.extensions import db
from app.models import Complaint
from app.policy import ValidationFailed
from app.policy import search as policy
from tests.helpers import complaint_body

API = "/api/v1/complaint/"
PAGE = "/complaints/search/"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("信号差", policy.Query(text="信号差")),  # 3 characters: the trigram index serves it
        ("  家中  信号  ", policy.Query(text="家中 信号")),  # spaces collapse
        ("dg2026", policy.Query(number_prefix="DG2026")),
        ("DG202611280001", policy.Query(number_prefix="DG202611280001")),
        ("138", policy.Query(number_prefix="DG138", phone_prefix="138")),  # 3 digits: the shortest prefix
        ("8000", policy.Query(number_prefix="DG8000", phone_prefix="8000", phone_tail="8000")),  # the last 4 digits
        ("梦网", policy.Query(text="梦网")),  # a 2-character word
        ("长安 信号", policy.Query(text="长安 信号")),  # several words
        ("13800138000", policy.Query(number_prefix="DG13800138000", phone_prefix="13800138000")),
        ("202611280001", policy.Query(number_prefix="DG202611280001")),  # 12 digits: longer than a phone
        ("5G套餐", policy.Query(text="5G套餐")),
    ],
)
def test_what_a_query_asks_for(typed, expected):
    assert policy.parse(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "信",  # 1 character: no word
        "长安 信",  # nor in a query of several
        "13",  # 2 digits: below DIGITS_MIN_LENGTH
        "DG",  # the prefix alone
        "差" * (policy.QUERY_MAX_LENGTH + 1),  # above QUERY_MAX_LENGTH
    ],
)
def test_queries_the_index_cannot_serve_are_refused_with_a_reason(typed):
    with pytest.raises(ValidationFailed) as refused:
        policy.parse(typed)
    assert "text" in refused.value.errors


def _record(app, client, **changes):
    response = client.post(API, json=complaint_body(app, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def recorded(app, login):
    """Two hotline complaints by agent1 and one service-hall complaint by hall1."""
    agent = login("agent1")
    first = _record(app, agent, topic="家中信号差", summary="客户反映家中室内无信号,无法接听电话。")
    second = _record(
        app, agent, topic="流量套餐扣费异议", summary="客户称5G套餐流量未用完即被扣费。", customer_phone="13912345678"
    )
    hall = _record(app, login("hall1"), topic="营业厅信号差", summary="营业厅内信号差,客户抱怨。")
    return first, second, hall


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("信号差", {"first"}),  # a substring of the topic (hall1's match is not agent1's to see)
        ("室内无信号", {"first"}),  # a substring of the summary only
        ("5g套餐", {"second"}),  # Latin letters match in any case
        ("1391234", {"second"}),  # the start of a phone number
        ("13800138000", {"first"}),  # a whole phone number
        ("5678", {"second"}),  # the last four digits of 13912345678
        ("信号", {"first"}),  # a 2-character word
        ("家中 信号差", {"first"}),  # several words, each somewhere
        ("扣费 流量套餐", {"second"}),  # in any order
        ("家中 扣费", set()),  # every word must be found
        ("无此内容的投诉", set()),
    ],
)
def test_agent_finds_complaints_by_text_and_phone(app, login, recorded, query, found):
    first, second, _hall = recorded
    names = {first["id"]: "first", second["id"]: "second"}
    response = login("agent1").get(f"{API}search", query_string={"text": query})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {names.get(id_, id_) for id_ in body["ids"]} == found
    assert body["count"] == len(found)


def test_a_number_finds_its_complaint_and_a_prefix_finds_the_days(app, login, recorded):
    first, second, _hall = recorded
    agent = login("agent1")
    whole = agent.get(f"{API}search", query_string={"text": first["result"]["number"]}).get_json()
    assert whole["ids"] == [first["id"]]
    day = first["result"]["number"][:10]  # DG + the local date
    assert set(agent.get(f"{API}search", query_string={"text": day}).get_json()["ids"]) == {first["id"], second["id"]}
    assert agent.get(f"{API}search", query_string={"text": day.lower()}).get_json()["count"] == 2


def test_another_departments_match_is_neither_listed_nor_counted(app, login, recorded):
    first, _second, hall = recorded
    seen_by_hall = login("hall1").get(f"{API}search", query_string={"text": "信号差"}).get_json()
    assert seen_by_hall["ids"] == [hall["id"]] and seen_by_hall["count"] == 1
    by_number = login("hall1").get(f"{API}search", query_string={"text": first["result"]["number"]}).get_json()
    assert by_number["ids"] == [] and by_number["count"] == 0
    leader = login("leader1").get(f"{API}search", query_string={"text": "信号差"}).get_json()
    assert set(leader["ids"]) == {first["id"], hall["id"]}


def test_a_too_short_query_gets_422_with_the_reason(app, login):
    response = login("agent1").get(f"{API}search", query_string={"text": "信"})
    assert response.status_code == 422
    assert "at least 2 characters" in response.get_json()["message"]["text"][0]


def test_search_needs_sign_in_and_complaint_rights(app, login):
    assert app.test_client().get(f"{API}search", query_string={"text": "信号差"}).status_code == 401
    assert login("admin").get(f"{API}search", query_string={"text": "信号差"}).status_code == 403


def test_the_results_page_lists_what_the_user_may_see(app, login, recorded):
    first, _second, hall = recorded
    page = login("agent1").web.get(PAGE, query_string={"q": "信号差", "_l_": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert first["result"]["number"] in html and hall["result"]["number"] not in html
    assert "1 complaints found" in html
    assert 'name="q"' in html and 'id="navbar-search"' in html  # the box in the navbar
    short = login("agent1").web.get(PAGE, query_string={"q": "信", "_l_": "en"}).get_data(as_text=True)
    assert "at least 2 characters" in short


def test_the_results_are_paged(app, login):
    agent = login("agent1")
    for index in range(policy.PAGE_SIZE + 1):
        _record(app, agent, topic=f"宽带断线第{index}次", customer_phone="13800138001")
    first_page = agent.get(f"{API}search", query_string={"text": "宽带断线"}).get_json()
    assert first_page["count"] == policy.PAGE_SIZE + 1 and first_page["pages"] == 2
    assert len(first_page["ids"]) == policy.PAGE_SIZE
    second_page = agent.get(f"{API}search", query_string={"text": "宽带断线", "page": 1}).get_json()
    assert len(second_page["ids"]) == 1 and not set(second_page["ids"]) & set(first_page["ids"])


# Enough rows that a planner reading every row would cost far more than the index.
PLAN_ROWS = 5000


def _fill(app, count):
    from app.models import Category, Department
    from app.models.org import StaffProfile

    with app.app_context():
        profile = db.session.scalars(select(StaffProfile).join(StaffProfile.user).filter_by(username="agent1")).one()
        category = db.session.scalar(select(Category.id).filter_by(code="network_coverage"))
        department = db.session.scalar(select(Department.id).filter_by(code="CSC-HOT-A"))
        topics = ["话费账单疑问", "宽带无法上网", "国际漫游扣费", "营业厅排队时间长", "积分兑换失败"]
        rows = [
            {
                "number": f"BULK{index:08d}",
                "channel": "hotline_10086",
                "category_id": category,
                "topic": f"{topics[index % len(topics)]}{index}",
                "summary": f"客户来电第{index}号,{topics[(index + 2) % len(topics)]}",
                "customer_phone": f"137{index:08d}",
                "received_at": __import__("datetime").datetime(2026, 11, 1, tzinfo=__import__("datetime").UTC),
                "receiver_id": profile.user_id,
                "receiving_department_id": department,
            }
            for index in range(count)
        ]
        db.session.execute(insert(Complaint), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE complaint"))
            db.session.commit()


def _plan(app, query):
    """The plan of the search condition. On PostgreSQL with sequential scans off: at the few
    thousand rows of a test a sequential read is cheaper and the planner rightly takes it
    (at a million rows it takes the trigram indexes by itself, 60 ms for a rare substring);
    what must hold at any size is that the indexes can serve the query."""
    from app import search
    from app.security import Viewer

    viewer = Viewer(
        user_id=1, username="x", role_names=frozenset({"Frontline"}), department_id=1, department_ids=frozenset({1})
    )
    with app.app_context():
        dialect = db.engine.dialect
        parsed = policy.parse(query)
        if dialect.name == "postgresql" or not parsed.text:
            statement = select(Complaint.id).where(search.condition(parsed, dialect.name))
        else:  # SQLite's text search joins the FTS table rather than filtering by a condition
            statement = search.statement(parsed, viewer, dialect.name).with_only_columns(Complaint.id)
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            rows = db.session.execute(text("EXPLAIN " + sql.replace("%%", "%")))
        else:
            rows = db.session.execute(text("EXPLAIN QUERY PLAN " + sql))
        plan = "\n".join(str(row[-1]) for row in rows)
        db.session.rollback()
        return plan


def test_text_search_goes_through_the_index(app, login):
    _fill(app, PLAN_ROWS)
    plan = _plan(app, "漫游扣费1237")  # one row in PLAN_ROWS: the index is the cheap way
    with app.app_context():
        on_postgresql = db.engine.dialect.name == "postgresql"
    if on_postgresql:
        assert "ix_complaint_topic_trgm" in plan and "ix_complaint_summary_trgm" in plan, plan
    else:
        assert "complaint_search VIRTUAL TABLE INDEX" in plan, plan
    found = login("leader1").get(f"{API}search", query_string={"text": "漫游扣费"}).get_json()
    assert found["count"] == policy.RESULT_LIMIT and found["more"] is True  # counted up to the limit
    assert len(login("leader1").get(f"{API}search", query_string={"text": "扣费1237"}).get_json()["ids"]) == 1


def test_phone_and_number_prefixes_use_their_indexes(app):
    _fill(app, PLAN_ROWS)
    plan = _plan(app, "1370000")
    assert "ix_complaint_customer_phone" in plan and "number" in plan, plan


def test_the_last_four_digits_and_two_character_words_use_indexes(app):
    _fill(app, PLAN_ROWS)
    assert "ix_complaint_phone_tail" in _plan(app, "1237")
    short = _plan(app, "漫游 扣费")  # 2-character words only: the recent complaints, by received time
    assert "received_at" in short or "ix_complaint_received" in short, short
    mixed = _plan(app, "国际漫游 扣费")  # the longer word narrows the rows through the text index
    with app.app_context():
        on_postgresql = db.engine.dialect.name == "postgresql"
    assert ("ix_complaint_topic_trgm" if on_postgresql else "complaint_search VIRTUAL TABLE INDEX") in mixed, mixed


def test_the_pieces_of_a_run_of_words(app):
    assert policy.pieces("退费未到账") == ("退费", "未到账")
    assert policy.pieces("长安信号中断") == ("长安", "信号", "中断")
    assert policy.pieces("信号差") == () and policy.pieces("长安 信号") == ()


def test_a_run_of_words_found_nowhere_as_typed_finds_its_pieces_and_says_so(app, login):
    agent = login("agent1")
    refund = _record(app, agent, topic="退费80元仍未到账", summary="客户称上周办理的退费至今未到账。")
    found = agent.get(f"{API}search", query_string={"text": "退费未到账"}).get_json()
    assert found["ids"] == [refund["id"]] and found["pieces"] == ["退费", "未到账"]
    exact = agent.get(f"{API}search", query_string={"text": "仍未到账"}).get_json()
    assert exact["ids"] == [refund["id"]] and exact["pieces"] == []
    html = agent.web.get(PAGE, query_string={"q": "退费未到账", "_l_": "en"}).get_data(as_text=True)
    assert refund["result"]["number"] in html
    assert "Nothing matches as typed" in html and "退费, 未到账" in html


def test_a_phone_tail_that_finds_nothing_says_what_to_type(app, login, recorded):
    agent = login("agent1")
    assert agent.get(f"{API}search", query_string={"text": "8000"}).get_json()["count"] == 1
    html = agent.web.get(PAGE, query_string={"q": "4321", "_l_": "en"}).get_data(as_text=True)
    assert "0 complaints found" in html and "last 4 digits" in html


def test_an_edited_or_removed_complaint_is_found_by_its_new_text_only(app, login, recorded):
    first, _second, _hall = recorded
    agent = login("agent1")
    assert agent.put(f"{API}{first['id']}", json={"topic": "国际漫游无法通话"}).status_code == 200
    assert agent.get(f"{API}search", query_string={"text": "漫游无法"}).get_json()["ids"] == [first["id"]]
    # Its pieces (家中, 信号差) are not both in the new text either.
    assert agent.get(f"{API}search", query_string={"text": "家中信号差"}).get_json()["ids"] == []
    with app.app_context():
        # The second complaint repeats the first (same phone and category): unlink it first.
        db.session.execute(
            text("UPDATE complaint SET repeat_of_id = NULL WHERE repeat_of_id = :id"), {"id": first["id"]}
        )
        db.session.execute(text("DELETE FROM complaint WHERE id = :id"), {"id": first["id"]})
        db.session.commit()
    assert agent.get(f"{API}search", query_string={"text": "漫游无法"}).get_json()["ids"] == []
