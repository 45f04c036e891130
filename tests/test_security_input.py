"""Input: the parsers of typed values, and the complaint intake, take anything without failing.

Property-based (hypothesis, fixed examples: see the profile in conftest.py). A parser
either returns a value of its type or raises ``ValueError`` with a message; the API
answers any JSON body with 201 or a 4xx with a ``message``, never a 500.
"""

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app import clock
from app.policy.complaints import MAX_AMOUNT, check_phone, parse_amount
from app.policy.vocabulary import CAUSES, CHANNELS, CUSTOMER_VALUES, ESCALATION_SOURCES, SEVERITIES
from tests.helpers import category_id, complaint_body, department_id

ANY_TEXT = st.text(max_size=40)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
AMOUNTS = st.decimals(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=2)


# -- parse_amount -----------------------------------------------------------------------


@given(AMOUNTS)
def test_an_amount_with_two_places_reads_back_as_itself(amount):
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"  {amount}\t") == amount


@given(st.integers(min_value=-int(MAX_AMOUNT), max_value=int(MAX_AMOUNT)))
def test_a_whole_number_of_yuan_is_an_amount(number):
    assert parse_amount(number) == Decimal(number)
    assert parse_amount(number).as_tuple().exponent == -2


@given(ANY_TEXT | st.floats() | st.integers() | st.none())
def test_an_amount_is_a_two_place_decimal_or_a_value_error(value):
    try:
        amount = parse_amount(value)
    except ValueError as error:
        assert str(error)
    else:
        assert isinstance(amount, Decimal)
        assert amount.is_finite() and abs(amount) <= MAX_AMOUNT
        assert amount.as_tuple().exponent == -2


@given(
    st.decimals(allow_nan=False, allow_infinity=False).filter(lambda amount: amount != amount.quantize(Decimal("0.01")))
)
def test_an_amount_with_fractions_of_a_cent_is_refused(amount):
    try:
        parse_amount(str(amount))
    except ValueError:
        return
    raise AssertionError(f"{amount} accepted")


# -- check_phone ------------------------------------------------------------------------

MOBILE = re.compile(r"1[3-9][0-9]{9}")


@given(st.from_regex(MOBILE, fullmatch=True))
def test_an_eleven_digit_mobile_number_is_accepted(number):
    assert check_phone(number) is None


@given(ANY_TEXT | st.none())
def test_anything_else_gets_a_message(value):
    message = check_phone(value)
    valid = isinstance(value, str) and value.isascii() and MOBILE.fullmatch(value) is not None
    assert (message is None) is valid
    if message is not None:
        assert str(message)


# -- clock.parse_time ------------------------------------------------------------------

TIMES = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2099, 12, 30))
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda minutes: timedelta(minutes=minutes))


@given(TIMES, OFFSETS)
def test_a_time_with_an_offset_reads_back_as_the_same_instant(moment, offset):
    typed = moment.replace(tzinfo=timezone(offset))
    assert clock.parse_time(typed.isoformat()) == typed


@given(ANY_TEXT | st.datetimes().map(datetime.isoformat) | st.datetimes(timezones=st.timezones()).map(str))
@example("0001-01-01T00:00:00+14:00")  # before the first instant a datetime holds in UTC
@example("9999-12-31T23:59:59-14:00")  # after the last
@example("9999-12-31T12:00:00+00:00")  # no room for a deadline
def test_a_time_is_one_the_system_can_store_and_show_or_a_value_error(text):
    try:
        value = clock.parse_time(text)
    except ValueError:
        return
    assert value.tzinfo is not None
    # Stored in UTC, shown in local time, deadlines two days on: none of these may fail.
    value.astimezone(UTC)
    clock.to_local(value)
    value + timedelta(days=7)
    value - timedelta(days=7)


# -- the complaint intake ---------------------------------------------------------------


def plausible_fields(app):
    """Each writable field: a value a client might mean, or any JSON at all."""
    categories = st.sampled_from([category_id(app), category_id(app, "bill_dispute")])
    departments = st.sampled_from([department_id(app, "NET"), department_id(app, "IT")])
    codes = {
        "channel": CHANNELS,
        "source": ESCALATION_SOURCES,
        "customer_value": CUSTOMER_VALUES,
        "cause": CAUSES,
        "severity": SEVERITIES,
    }
    fields = {name: st.sampled_from(list(vocabulary)) for name, vocabulary in codes.items()}
    fields.update(
        category=categories,
        responsible_department=departments,
        topic=st.text(min_size=1, max_size=60) | st.just("<script>alert(1)</script>"),
        summary=st.text(min_size=1, max_size=200) | st.just('=HYPERLINK("http://x")'),
        customer_phone=st.from_regex(MOBILE, fullmatch=True),
        customer_prepaid=st.booleans(),
        received_at=st.datetimes(timezones=st.timezones()).map(datetime.isoformat),
        disputed_amount=AMOUNTS.map(str),
        lawsuit=st.booleans(),
        joint_complainants=st.integers(),
    )
    return {name: strategy | ANY_JSON for name, strategy in fields.items()}


def test_any_json_body_is_a_complaint_or_a_4xx_with_a_message(app, login):
    client = login("agent1")
    bodies = st.fixed_dictionaries({}, optional=plausible_fields(app)) | ANY_JSON

    @given(body=bodies)
    @settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    def post(body):
        response = client.post("/api/v1/complaint/", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 201 or 400 <= response.status_code < 500, (body, response.get_data(True))
        answer = response.get_json()
        if response.status_code == 201:
            stored = client.get(f"/api/v1/complaint/{answer['id']}").get_json()["result"]
            assert (stored["topic"], stored["summary"]) == (body["topic"], body["summary"])  # as typed
        else:
            assert answer["message"]

    post()
    for received_at in ["0001-01-01T00:00:00+14:00", "9999-12-31T12:00:00+00:00"]:
        response = client.post("/api/v1/complaint/", json=complaint_body(app, received_at=received_at))
        assert response.status_code == 422
        assert "received_at" in response.get_json()["message"]


def test_a_body_that_is_not_json_is_a_400(app, login):
    client = login("agent1")
    for data, content_type in [("{", "application/json"), ("topic=x", "application/x-www-form-urlencoded"), ("", "")]:
        response = client.post("/api/v1/complaint/", data=data, content_type=content_type)
        assert response.status_code == 400
        assert response.get_json()["message"]


def test_any_query_argument_is_answered_without_a_500(app, login):
    client = login("agent1")

    @given(text=ANY_TEXT | ANY_JSON.map(json.dumps))
    @settings(max_examples=100)
    def get(text):
        response = client.get("/api/v1/complaint/", query_string={"q": text})
        assert response.status_code in (200, 400), (text, response.get_data(True))

    get()


OPERATORS = ["eq", "neq", "gt", "lt", "ct", "sw", "ew", "rel_o_m", "nrel_o_m"]


def test_any_search_of_any_column_is_answered_without_a_500(app, login):
    from app.views.complaints import ComplaintApi

    client = login("agent1")
    search = st.fixed_dictionaries(
        {
            "col": st.sampled_from(ComplaintApi.search_columns),
            "opr": st.sampled_from(OPERATORS),
            "value": ANY_JSON | st.sampled_from(["", "y", "3", "2026-11-28 09:30", "0001-01-01T00:00:00+14:00"]),
        }
    )

    @given(search=search)
    @settings(max_examples=150)
    def get(search):
        response = client.get("/api/v1/complaint/", query_string={"q": json.dumps({"filters": [search]})})
        assert response.status_code in (200, 400), (search, response.get_data(True))

    get()


@pytest.mark.parametrize(
    "arguments",
    [
        {"_flt_0_escalated": "maybe"},
        {"_flt_0_escalated": ""},
        {"_flt_0_receiver": "abc"},
        {"_flt_0_received_at": "0001-01-01 00:00:00"},
    ],
)
def test_list_page_searches_the_database_cannot_take_are_a_400(login, arguments):
    assert login("agent1").web.get("/complaints/list/", query_string=arguments).status_code == 400


def test_list_page_searches_people_make_still_work(login):
    for arguments in [
        {"_flt_0_escalated": "y"},
        {"_flt_0_receiver": ""},
        {"_flt_1_received_at": "2026-11-28 10:00:00"},
    ]:
        assert login("agent1").web.get("/complaints/list/", query_string=arguments).status_code == 200


def test_numbers_no_column_holds_in_a_query_are_a_400(app, login):
    client = login("agent1")
    for q in ["(page:99999999999999999999,page_size:25)", "(page:-1)", "(page:1.5)", "-1.13e+122"]:
        response = client.get("/api/v1/complaint/", query_string={"q": q})
        assert response.status_code == 400, q
        assert response.get_json()["message"]
    assert client.get("/api/v1/complaint/", query_string={"q": "(page:0,page_size:10)"}).status_code == 200
    assert client.get("/api/v1/complaint/", query_string={"q": '{"page": 0}'}).status_code == 200


def test_ids_no_column_holds_are_not_found(app, login):
    client = login("agent1")
    for url in ["/api/v1/complaint/2147483648", "/api/v1/department/99999999999999999999999"]:
        assert client.get(url).status_code == 404, url
    assert client.put("/api/v1/complaint/99999999999999999999999", json={}).status_code == 404
    assert client.post("/api/v1/refund/99999999999999999999999/decide", json={}).status_code == 404
    for url in ["/complaints/show/2147483648", "/complaints/edit/1e999", "/refunds/show/99999999999999999999"]:
        assert client.web.get(url).status_code == 404, url
    assert login("leader1").web.get("/audit/show/99999999999999999999").status_code == 404
    assert login("admin").web.get("/users/edit/99999999999999999999").status_code == 404  # Flask-AppBuilder's own
    body = {"channel": "hotline_10086", "responsible_department": 2**40}
    response = client.post("/api/v1/complaint/", json=body)
    assert response.status_code == 422
    assert "responsible_department" in response.get_json()["message"]


def test_text_with_the_nul_character_is_refused_before_any_query(app, login):
    client = login("agent1")
    response = client.post("/api/v1/complaint/", json=complaint_body(app, topic="信号\x00差"))
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert (
        client.get("/api/v1/complaint/", query_string={"q": "(filters:!((col:topic,opr:ct,value:'\x00')))"}).status_code
        == 400
    )
    signed_in = client.web.post("/login/", data={"username": "agent1\x00", "password": "demo"})
    assert signed_in.status_code == 400


@pytest.mark.parametrize(
    "arguments",
    [
        {"page_ComplaintView": "99999999999999999999"},
        {"page_ComplaintView": "-5"},
        {"page_ComplaintView": "abc"},
        {"page_ComplaintView": "²"},
        {"psize_ComplaintView": "-1"},
        {"_oc_ComplaintView": "nope", "_od_ComplaintView": "asc"},
    ],
)
def test_list_page_arguments_the_database_cannot_take_are_a_400(login, arguments):
    assert login("agent1").web.get("/complaints/list/", query_string=arguments).status_code == 400


def test_list_page_arguments_within_bounds_still_work(login):
    arguments = {"page_ComplaintView": "0", "psize_ComplaintView": "25", "_oc_ComplaintView": "number"}
    assert login("agent1").web.get("/complaints/list/", query_string=arguments).status_code == 200
