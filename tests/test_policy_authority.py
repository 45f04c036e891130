"""Refund authority (SPEC.md §2.4–2.5) as plain Python: every boundary, named."""

from decimal import Decimal

import pytest

from app.policy import Conflict, NotAllowed, ValidationFailed
from app.policy.authority import authority_of, covers, levels_covered_by, required_level
from app.policy.refunds import assess, check_decision, check_request, check_unchanged, may_decide

# (amount, prepaid IN customer, frontline-eligible type, required level)
LEVELS = [
    ("0.01", True, True, "frontline"),
    ("100.00", True, True, "frontline"),  # §2.5 boundary: 100.00 is frontline
    ("100.01", True, True, "room_manager"),  # 100.01 is room manager
    ("80.00", False, True, "room_manager"),  # postpaid customer: not frontline
    ("80.00", True, False, "room_manager"),  # type not frontline-eligible
    ("80.00", False, False, "room_manager"),
    ("500.00", True, True, "room_manager"),  # 500.00 room
    ("500.01", True, True, "center_manager"),  # 500.01 centre
    ("500.01", False, False, "center_manager"),
    ("2000.00", True, True, "center_manager"),  # 2000.00 centre
    ("2000.01", True, True, "leadership"),  # 2000.01 leadership
    ("99999.99", False, False, "leadership"),
]


@pytest.mark.parametrize(("amount", "prepaid", "eligible", "level"), LEVELS)
def test_required_level_at_every_boundary(amount, prepaid, eligible, level):
    assert required_level(Decimal(amount), customer_prepaid=prepaid, frontline_eligible=eligible) == level


# (decided) anti-splitting: three 90-yuan refunds on one complaint.
SPLITTING = [
    ("0.00", "90.00", "frontline"),
    ("90.00", "90.00", "room_manager"),  # the second makes 180.00
    ("180.00", "90.00", "room_manager"),
    ("450.00", "50.00", "room_manager"),  # 500.00
    ("450.00", "50.01", "center_manager"),  # 500.01
    ("1999.99", "0.01", "center_manager"),  # 2000.00
    ("1999.99", "0.02", "leadership"),  # 2000.01
]


@pytest.mark.parametrize(("so_far", "amount", "level"), SPLITTING)
def test_the_running_total_sets_the_level(so_far, amount, level):
    assessment = assess(
        Decimal(amount),
        Decimal(so_far),
        customer_prepaid=True,
        frontline_eligible=True,
        requester_authority=None,
        requester_in_scope=True,
    )
    assert assessment.required_level == level
    assert assessment.total == Decimal(so_far) + Decimal(amount)


@pytest.mark.parametrize(
    ("roles", "authority"),
    [
        ({"Frontline"}, "frontline"),
        ({"RoomManager"}, "room_manager"),
        ({"CenterManager"}, "center_manager"),
        ({"Leadership"}, "leadership"),
        ({"Frontline", "CenterManager"}, "center_manager"),
        ({"Admin"}, None),
        (set(), None),
    ],
)
def test_authority_of_roles(roles, authority):
    assert authority_of(roles) == authority


@pytest.mark.parametrize(
    ("authority", "level", "covered"),
    [
        ("frontline", "frontline", True),
        ("frontline", "room_manager", False),
        ("room_manager", "frontline", True),
        ("room_manager", "room_manager", True),
        ("room_manager", "center_manager", False),
        ("center_manager", "center_manager", True),
        ("center_manager", "leadership", False),
        ("leadership", "leadership", True),
        (None, "frontline", False),
    ],
)
def test_higher_roles_hold_the_lower_ones_authority(authority, level, covered):
    assert covers(authority, level) is covered
    assert (level in levels_covered_by(authority)) is covered


@pytest.mark.parametrize(
    ("authority", "level", "in_scope", "at_once"),
    [
        ("frontline", "frontline", True, True),
        ("frontline", "room_manager", True, False),
        ("room_manager", "room_manager", True, True),
        ("center_manager", "leadership", True, False),
        # §2: a unit the complaint was dispatched to proposes, it does not decide.
        ("frontline", "frontline", False, False),
        ("center_manager", "center_manager", False, False),
    ],
)
def test_a_requester_who_may_decide_the_request_decides_it_at_once(authority, level, in_scope, at_once):
    amounts = {"frontline": "50.00", "room_manager": "300.00", "center_manager": "1500.00", "leadership": "3000.00"}
    assessment = assess(
        Decimal(amounts[level]),
        Decimal("0.00"),
        customer_prepaid=True,
        frontline_eligible=True,
        requester_authority=authority,
        requester_in_scope=in_scope,
    )
    assert assessment.required_level == level
    assert assessment.decided_at_once is at_once
    # Deciding at creation and deciding later are one rule.
    assert may_decide(authority, level, in_scope=in_scope) is at_once


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("0.00", "amount"), ("-5.00", "amount"), ("abc", "amount"), ("1.001", "amount"), ("", "amount")],
)
def test_bad_amounts_are_refused(amount, field):
    with pytest.raises(ValidationFailed) as failure:
        check_request(amount, "yes", [], None)
    assert field in failure.value.errors


def test_a_good_request_gives_its_amount_with_two_places():
    assert check_request("88.5", "yes", [], None) == Decimal("88.50")


# §2.4: no liability needs at least one consideration and a note.
NO_LIABILITY = [
    ([], "", {"considerations", "note"}),
    (["satisfaction"], "", {"note"}),
    ([], "老客户,维系", {"considerations"}),
    (["satisfaction"], "   ", {"note"}),
    (["customer_value", "social_impact"], "金卡客户,影响较大", set()),
]


@pytest.mark.parametrize(("considerations", "note", "missing"), NO_LIABILITY)
def test_without_liability_a_consideration_and_a_note_are_needed(considerations, note, missing):
    if not missing:
        check_request("50.00", "no", considerations, note)
        return
    with pytest.raises(ValidationFailed) as failure:
        check_request("50.00", "no", considerations, note)
    assert set(failure.value.errors) == missing


def test_with_liability_no_consideration_is_needed():
    check_request("50.00", "yes", [], "")


@pytest.mark.parametrize(("liability", "considerations"), [("maybe", []), ("yes", ["mood"])])
def test_liability_and_considerations_are_codes(liability, considerations):
    with pytest.raises(ValidationFailed):
        check_request("50.00", liability, considerations, "说明")


@pytest.mark.parametrize(
    ("status", "level", "authority", "error"),
    [
        ("pending", "room_manager", "frontline", NotAllowed),
        ("pending", "leadership", "center_manager", NotAllowed),
        ("approved", "room_manager", "room_manager", Conflict),
        ("rejected", "room_manager", "leadership", Conflict),
    ],
)
def test_decisions_beyond_authority_or_twice_are_refused(status, level, authority, error):
    with pytest.raises(error):
        check_decision(status, level, authority, "approve", in_scope=True)


def test_a_decision_outside_the_receiving_unit_is_refused_whatever_the_authority():
    with pytest.raises(NotAllowed):
        check_decision("pending", "room_manager", "leadership", "approve", in_scope=False)


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_a_decision_within_authority_gives_the_new_status(decision, status):
    assert check_decision("pending", "room_manager", "center_manager", decision, in_scope=True) == status


@pytest.mark.parametrize(
    ("decision", "note", "refused"),
    [
        ("reject", None, True),  # a misclick rejected 78.10 yuan with no reason (issue 24)
        ("reject", "   ", True),
        ("reject", "非公司原因", False),
        ("approve", None, False),  # an approval may go without a note
    ],
)
def test_a_rejection_gives_its_reason(decision, note, refused):
    from app.policy.refunds import check_reason

    if refused:
        with pytest.raises(ValidationFailed) as failure:
            check_reason(decision, note)
        assert "note" in failure.value.errors
    else:
        check_reason(decision, note)


def test_a_decided_request_cannot_change():
    check_unchanged("pending")
    for status in ("approved", "rejected"):
        with pytest.raises(Conflict):
            check_unchanged(status)
