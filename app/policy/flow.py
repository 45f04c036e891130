"""The complaint's life (SPEC.md §2.1–2.3, §3): actions, who may take them, what follows.

``received → dispatched → in_progress → replied → resolved → closed``, and
``reopened`` from resolved or closed by the receiving side. A returned dispatch
goes back to the receiving side (``received``) to be dispatched again.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.policy import vocabulary
from app.policy.errors import Conflict, NotAllowed, ValidationFailed
from app.policy.i18n import _
from app.policy.texts import TEXT_MAX_LENGTH

RECEIVED = "received"
DISPATCHED = "dispatched"
IN_PROGRESS = "in_progress"
REPLIED = "replied"
RESOLVED = "resolved"
CLOSED = "closed"
REOPENED = "reopened"

OPEN_STATUSES = (RECEIVED, DISPATCHED, IN_PROGRESS, REPLIED, REOPENED)

RECEIVING = "receiving"  # 首问: the receiver and the managers of the receiving department
RESPONSIBLE = "responsible"  # the department the complaint is dispatched to

CALLBACKS = tuple(vocabulary.CALLBACKS)

# §3.4 accountability pursuit: whom each successive escalation reaches.
ESCALATION_STEPS = ("department_manager", "supervising_leader")


@dataclass(frozen=True)
class Action:
    name: str
    # Which side may take it.
    side: str
    # status before → status after; a status not listed is an illegal transition.
    transitions: dict[str, str]
    # The text the action needs (a note, a reason, a result), if any.
    needs_text: bool = False


ACTIONS = {
    action.name: action
    for action in (
        Action("dispatch", RECEIVING, {RECEIVED: DISPATCHED, REOPENED: DISPATCHED}),
        # §3 department accountability: accept (受理), then reply with facts and a proposed solution
        # (答复, again if need be), or return with a reason.
        Action("accept", RESPONSIBLE, {DISPATCHED: IN_PROGRESS}),
        Action("reply", RESPONSIBLE, {IN_PROGRESS: REPLIED, REPLIED: REPLIED}, True),
        Action("return", RESPONSIBLE, {DISPATCHED: RECEIVED, IN_PROGRESS: RECEIVED}, True),
        Action("urge", RECEIVING, {DISPATCHED: DISPATCHED, IN_PROGRESS: IN_PROGRESS}),
        Action("escalate", RECEIVING, {status: status for status in (RECEIVED, DISPATCHED, IN_PROGRESS)}),
        Action(
            "resolve",
            RECEIVING,
            {RECEIVED: RESOLVED, IN_PROGRESS: RESOLVED, REPLIED: RESOLVED, REOPENED: RESOLVED},
            True,
        ),
        Action("close", RECEIVING, {RESOLVED: CLOSED}),
        Action("reopen", RECEIVING, {RESOLVED: REOPENED, CLOSED: REOPENED}, True),
    )
}


def _sides_of(action_name: str) -> set[str]:
    """Who may take an action: its side; the result may also come from the responsible side."""
    return {ACTIONS[action_name].side} | ({RESPONSIBLE} if action_name == "resolve" else set())


def next_status(action_name: str, status: str, sides: set[str], text: str | None = None) -> str:
    """The status after ``action_name``, or why not: 403 wrong side, 409 illegal, 422 no text."""
    action = ACTIONS[action_name]
    if not sides & _sides_of(action_name):
        if action.side == RECEIVING:
            raise NotAllowed(_("Only the receiving side (the receiver and its managers) may do this."))
        raise NotAllowed(_("Only the department the complaint is dispatched to may do this."))
    if status not in action.transitions:
        raise Conflict(
            _(
                "A complaint that is %(status)s cannot be %(action)s.",
                status=status_label(status),
                action=action_label(action_name),
            )
        )
    if action.needs_text and not (text or "").strip():
        field = "reason" if action_name == "return" else "text"
        raise ValidationFailed({field: _("This field is required.")})
    if text is not None and len(text) > TEXT_MAX_LENGTH:
        raise ValidationFailed({"text": _("At most %(count)s characters.", count=TEXT_MAX_LENGTH)})
    return action.transitions[status]


def available(status: str, sides: set[str]) -> list[str]:
    """The actions whose buttons a user on ``sides`` sees for a complaint in ``status``."""
    return [name for name, action in ACTIONS.items() if status in action.transitions and sides & _sides_of(name)]


def check_transition(old: str, new: str) -> None:
    """The backstop for scripts: a status moves only along an action's transition."""
    if old == new:
        return
    if not any(action.transitions.get(old) == new for action in ACTIONS.values()):
        raise Conflict(
            _("A complaint cannot go from %(old)s to %(new)s.", old=status_label(old), new=status_label(new))
        )


def escalation_target(escalations_so_far: int) -> str:
    """§3.4: first the responsible department's manager, then its supervising company leader."""
    if escalations_so_far >= len(ESCALATION_STEPS):  # §3.4: the leader is the last step
        raise Conflict(_("This complaint has already been escalated to the supervising company leader."))
    return ESCALATION_STEPS[escalations_so_far]


def check_escalation(last_dispatch_status: str | None, reply_overdue: bool, escalations_so_far: int) -> str:
    """§3.4: escalate a dispatch that was returned or is overdue; returns whom it reaches."""
    returned = last_dispatch_status == "returned"
    overdue = last_dispatch_status in ("open", "accepted") and reply_overdue
    if not (returned or overdue):
        raise Conflict(_("Escalate only a dispatch that was returned or whose reply is overdue."))
    return escalation_target(escalations_so_far)


def check_callback(callback: str | None) -> str:
    if callback not in CALLBACKS:
        raise ValidationFailed({"callback": _("Not a valid choice: use one of %(codes)s.", codes=", ".join(CALLBACKS))})
    return callback


def status_label(status: str) -> str:
    return vocabulary.label(vocabulary.STATUSES, status)


def action_label(action: str) -> str:
    return vocabulary.label(vocabulary.ACTIONS, action)
