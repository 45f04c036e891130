"""The complaint's life as a state machine (SPEC.md §3), as plain Python."""

import pytest

from app.policy import Conflict, NotAllowed, ValidationFailed
from app.policy.flow import ACTIONS, RECEIVING, RESPONSIBLE, check_callback, escalation_target, next_status

# (action, from, sides, to)
LEGAL = [
    ("dispatch", "received", {RECEIVING}, "dispatched"),
    ("dispatch", "reopened", {RECEIVING}, "dispatched"),
    ("accept", "dispatched", {RESPONSIBLE}, "in_progress"),
    ("reply", "in_progress", {RESPONSIBLE}, "replied"),
    ("reply", "replied", {RESPONSIBLE}, "replied"),  # a further reply
    ("return", "dispatched", {RESPONSIBLE}, "received"),
    ("urge", "dispatched", {RECEIVING}, "dispatched"),
    ("escalate", "received", {RECEIVING}, "received"),
    ("resolve", "replied", {RECEIVING}, "resolved"),
    ("resolve", "replied", {RESPONSIBLE}, "resolved"),
    ("resolve", "received", {RECEIVING}, "resolved"),
    ("close", "resolved", {RECEIVING}, "closed"),
    ("reopen", "resolved", {RECEIVING}, "reopened"),
    ("reopen", "closed", {RECEIVING}, "reopened"),
]


@pytest.mark.parametrize(("action", "status", "sides", "expected"), LEGAL)
def test_legal_transitions(action, status, sides, expected):
    assert next_status(action, status, sides, text="说明") == expected


ILLEGAL = [
    ("dispatch", "dispatched"),
    ("dispatch", "closed"),
    ("accept", "received"),
    ("accept", "in_progress"),  # accepted once: then it replies
    ("reply", "dispatched"),  # accepted first
    ("return", "replied"),
    ("close", "replied"),
    ("close", "closed"),
    ("reopen", "received"),
    ("resolve", "closed"),
    ("urge", "received"),
    ("urge", "resolved"),
]


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_illegal_transitions_are_conflicts(action, status):
    with pytest.raises(Conflict):
        next_status(action, status, {RECEIVING, RESPONSIBLE}, text="说明")


@pytest.mark.parametrize(
    ("action", "status", "sides"),
    [
        ("close", "resolved", {RESPONSIBLE}),  # only the receiving side closes
        ("reopen", "closed", set()),
        ("dispatch", "received", {RESPONSIBLE}),
        ("accept", "dispatched", {RECEIVING}),  # only the responsible department responds
        ("reply", "in_progress", {RECEIVING}),
        ("urge", "dispatched", set()),
    ],
)
def test_the_wrong_side_is_not_allowed(action, status, sides):
    with pytest.raises(NotAllowed):
        next_status(action, status, sides, text="说明")


@pytest.mark.parametrize("text", [None, "", "   "])
def test_a_returned_dispatch_needs_a_reason(text):
    with pytest.raises(ValidationFailed) as failure:
        next_status("return", "dispatched", {RESPONSIBLE}, text=text)
    assert "reason" in failure.value.errors


@pytest.mark.parametrize("text", [None, "", "   "])
def test_a_reply_needs_its_facts_and_solution(text):
    with pytest.raises(ValidationFailed) as failure:
        next_status("reply", "in_progress", {RESPONSIBLE}, text=text)
    assert "text" in failure.value.errors


def test_actions_that_need_no_text():
    assert next_status("accept", "dispatched", {RESPONSIBLE}) == "in_progress"
    assert next_status("close", "resolved", {RECEIVING}) == "closed"
    assert next_status("dispatch", "received", {RECEIVING}) == "dispatched"


def test_escalation_goes_to_the_manager_then_the_leader_then_stops():
    assert escalation_target(0) == "department_manager"
    assert escalation_target(1) == "supervising_leader"
    with pytest.raises(Conflict):
        escalation_target(2)


@pytest.mark.parametrize("callback", ["satisfied", "basically_satisfied", "dissatisfied"])
def test_callbacks(callback):
    assert check_callback(callback) == callback


@pytest.mark.parametrize("callback", [None, "", "happy"])
def test_bad_callbacks(callback):
    with pytest.raises(ValidationFailed):
        check_callback(callback)


def test_every_status_but_closed_and_resolved_can_be_left():
    reachable = {target for action in ACTIONS.values() for target in action.transitions.values()}
    assert reachable == {"dispatched", "in_progress", "replied", "received", "resolved", "closed", "reopened"}


@pytest.mark.parametrize(
    ("last_status", "overdue", "allowed"),
    [
        ("returned", False, True),
        ("open", True, True),
        ("accepted", True, True),
        ("open", False, False),
        ("replied", True, False),
        (None, False, False),
    ],
)
def test_escalation_needs_a_returned_or_overdue_dispatch(last_status, overdue, allowed):
    from app.policy.flow import check_escalation

    if allowed:
        assert check_escalation(last_status, overdue, 0) == "department_manager"
    else:
        with pytest.raises(Conflict):
            check_escalation(last_status, overdue, 0)
