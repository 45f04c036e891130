"""The complaint rules as plain Python: no app, no database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.policy import NotAllowed, ValidationFailed
from app.policy import complaints as policy
from app.policy.organisation import subtree, validate_department
from app.policy.roles import rank, sees_everything

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@dataclass
class Draft:
    channel: str | None = "hotline_10086"
    source: str | None = None
    category_id: int | None = 1
    topic: str | None = "信号差"
    summary: str | None = "家里没有信号"
    customer_phone: str | None = "13800138000"
    customer_value: str | None = "normal"
    received_at: datetime | None = NOW
    disputed_amount: Decimal | None = None
    cause: str | None = "unknown"
    severity: str | None = "normal"
    major_type: str | None = None
    media_level: str | None = None
    media_status: str | None = None
    hall_impact: str | None = None
    joint_complainants: int | None = 1


def errors_of(**changes) -> dict:
    try:
        policy.validate(Draft(**changes), now=NOW)
    except ValidationFailed as failure:
        return {field: str(message) for field, message in failure.errors.items()}
    return {}


def test_a_complete_complaint_is_valid():
    assert errors_of() == {}


@pytest.mark.parametrize(
    ("phone", "valid"),
    [
        ("13800138000", True),
        ("19912345678", True),
        ("12800138000", False),  # second digit 2: not a mobile number
        ("1380013800", False),  # 10 digits
        ("138001380001", False),  # 12 digits
        ("1380013800a", False),
        ("+8613800138000", False),
        ("", False),
    ],
)
def test_customer_phone_is_an_11_digit_mainland_mobile(phone, valid):
    assert ("customer_phone" not in errors_of(customer_phone=phone)) is valid


@pytest.mark.parametrize(
    ("field", "limit"),
    [("topic", policy.TOPIC_MAX_LENGTH), ("summary", policy.SUMMARY_MAX_LENGTH)],
)
def test_topic_and_summary_are_required_and_bounded(field, limit):
    assert field not in errors_of(**{field: "字" * limit})
    assert "At most" in errors_of(**{field: "字" * (limit + 1)})[field]
    assert errors_of(**{field: "   "})[field] == "This field is required."
    assert errors_of(**{field: None})[field] == "This field is required."


@pytest.mark.parametrize(
    ("ahead", "valid"),
    [
        (timedelta(0), True),
        (policy.CLOCK_SKEW, True),  # a CTI clock a few minutes fast is accepted
        (policy.CLOCK_SKEW + timedelta(seconds=1), False),
        (timedelta(days=1), False),
        (-timedelta(days=30), True),
    ],
)
def test_received_time_is_not_in_the_future(ahead, valid):
    assert ("received_at" not in errors_of(received_at=NOW + ahead)) is valid


def test_received_time_needs_a_zone():
    assert "received_at" in errors_of(received_at=datetime(2026, 11, 28, 9, 0))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "fax"),
        ("source", "neighbour"),
        ("customer_value", "platinum"),
        ("cause", "weather"),
        ("severity", "critical"),
    ],
)
def test_codes_must_come_from_their_vocabulary(field, value):
    assert errors_of(**{field: value})[field].startswith("Not a valid choice")


@pytest.mark.parametrize(
    ("amount", "valid"),
    [
        (Decimal("0.00"), True),
        (Decimal("100.00"), True),
        (Decimal("100.5"), True),
        (Decimal("100.001"), False),  # three decimal places
        (Decimal("-0.01"), False),
    ],
)
def test_disputed_amount_has_two_places_and_is_not_negative(amount, valid):
    assert ("disputed_amount" not in errors_of(disputed_amount=amount)) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", Decimal("100.00")),
        ("100.1", Decimal("100.10")),
        (" 0.01 ", Decimal("0.01")),
        (100, Decimal("100.00")),
    ],
)
def test_parse_amount_gives_two_places(text, expected):
    assert policy.parse_amount(text) == expected
    assert str(policy.parse_amount(text)) == str(expected)


@pytest.mark.parametrize("text", ["abc", "", "1e400", "NaN", "100.001", "1,000"])
def test_parse_amount_refuses_what_is_not_an_amount(text):
    with pytest.raises(ValueError):
        policy.parse_amount(text)


@pytest.mark.parametrize(("joint", "valid"), [(1, True), (4, True), (0, False), (-1, False)])
def test_joint_complainants_at_least_one(joint, valid):
    assert ("joint_complainants" not in errors_of(joint_complainants=joint)) is valid


def test_major_type_only_for_major_complaints():
    assert "major_type" in errors_of(major_type="conflict")
    assert errors_of(severity="major", major_type="conflict") == {}


@pytest.mark.parametrize(
    "source",
    [
        "miit",
        "group_hq",
        "provincial_ca",
        "provincial_company",
        "consumer_association",
        "petition_office",
        "media",
    ],
)
def test_every_outside_source_makes_a_complaint_escalated(source):
    assert policy.is_escalated(source)


@pytest.mark.parametrize("source", [None, "", "hotline_10086"])
def test_no_outside_source_is_not_escalated(source):
    assert not policy.is_escalated(source)


def test_complaint_numbers_are_dg_local_date_and_four_digits():
    assert policy.number(date(2026, 11, 28), 1) == "DG202611280001"
    assert policy.number(date(2026, 1, 2), 9999) == "DG202601029999"


def test_receipt_fixes_receiver_and_deadlines():
    receipt = policy.receive(7, 10, None, NOW)
    assert (receipt.receiver_id, receipt.receiving_department_id, receipt.received_at) == (7, 10, NOW)
    assert receipt.first_reply_due == NOW + timedelta(hours=24)
    assert receipt.resolve_due == NOW + timedelta(hours=48)


def test_a_user_without_a_department_cannot_receive():
    with pytest.raises(NotAllowed):
        policy.receive(7, None, None, NOW)


def test_first_contact_fields_never_change():
    assert policy.changed_first_contact_fields({"receiver_id": (7, 8), "topic": ("a", "b")}) == ["receiver_id"]
    assert policy.changed_first_contact_fields({"receiver_id": (None, 8)}) == []


EDGES = [(1, None), (2, 1), (3, 2), (4, 2), (5, 1)]


def test_subtree_holds_the_department_and_all_below():
    assert subtree(2, EDGES) == {2, 3, 4}
    assert subtree(1, EDGES) == {1, 2, 3, 4, 5}
    assert subtree(4, EDGES) == {4}


def test_a_department_cannot_move_below_itself():
    with pytest.raises(ValidationFailed) as failure:
        validate_department(2, "CSC", "客服中心", "center", 3, None, EDGES)
    assert "parent" in failure.value.errors
    validate_department(2, "CSC", "客服中心", "center", 5, None, EDGES)


@pytest.mark.parametrize(
    ("roles", "expected_rank", "all_rows"),
    [
        ({"Frontline"}, 0, False),
        ({"RoomManager"}, 1, False),
        ({"CenterManager"}, 2, False),
        ({"Leadership"}, 3, True),
        ({"Admin"}, -1, False),
        ({"Frontline", "CenterManager"}, 2, False),
    ],
)
def test_role_rank_and_who_sees_every_complaint(roles, expected_rank, all_rows):
    assert rank(roles) == expected_rank
    assert sees_everything(roles) is all_rows


def test_a_departments_unit_is_its_ancestor_below_the_company():
    from app.policy.organisation import unit_of

    assert unit_of(3, EDGES) == 2  # a room of centre 2
    assert unit_of(2, EDGES) == 2  # the centre itself
    assert unit_of(5, EDGES) == 5
    assert unit_of(1, EDGES) == 1  # the company
