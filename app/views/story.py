"""A complaint's whole story, for its page: who holds it, what is due, what happened."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _
from sqlalchemy import select

from app import clock, workflow
from app.extensions import db
from app.models import AuditLog, Complaint, ComplaintEvent, RefundRequest
from app.models.audit import SYSTEM
from app.models.org import person_name
from app.policy import PolicyError, flow
from app.policy.vocabulary import ACTIONS, CALLBACKS, REFUND_STATUSES, label
from app.views.formatting import yuan

# A change an action already tells on the timeline (the dispatch): the audit entry would repeat it.
ACTION_FIELDS = {"responsible_department_id"}


@dataclass(frozen=True)
class Step:
    at: datetime
    what: str
    who: str
    text: str = ""
    kind: str = "action"


@dataclass(frozen=True)
class Deadline:
    title: str
    due: datetime | None
    met: bool

    def left(self, now: datetime) -> str:
        return time_left(self.due, now) if self.due and not self.met else ""

    def is_overdue(self, now: datetime) -> bool:
        return bool(self.due and not self.met and self.due < now)


def time_left(due: datetime, now: datetime) -> str:
    minutes = int((due - now).total_seconds() // 60)
    amount = abs(minutes)
    text = (
        _("%(days)sd %(hours)sh", days=amount // 1440, hours=amount % 1440 // 60)
        if amount >= 1440
        else _("%(hours)sh %(minutes)smin", hours=amount // 60, minutes=amount % 60)
    )
    return str(_("%(time)s left", time=text) if minutes >= 0 else _("overdue by %(time)s", time=text))


def countdown_phrases() -> dict[str, str]:
    """time_left's phrases with {placeholders}, for the page's live countdown (countdown.js)."""
    return {
        "days": str(_("%(days)sd %(hours)sh", days="{days}", hours="{hours}")),
        "hours": str(_("%(hours)sh %(minutes)smin", hours="{hours}", minutes="{minutes}")),
        "left": str(_("%(time)s left", time="{time}")),
        "overdue": str(_("overdue by %(time)s", time="{time}")),
    }


def _name(user) -> str:
    return person_name(user) if user else str(_("the system"))


def holder(complaint: Complaint) -> str:
    """Who must act now: the responsible department while dispatched, else the receiving side."""
    if complaint.status in (flow.DISPATCHED, flow.IN_PROGRESS) and complaint.responsible_department:
        return complaint.responsible_department.name
    if complaint.status == flow.CLOSED:
        return ""
    return f"{_name(complaint.receiver)} · {complaint.receiving_department.name}"


def deadlines(complaint: Complaint) -> list[Deadline]:
    current = workflow.open_dispatch(complaint)
    finished = complaint.status in (flow.RESOLVED, flow.CLOSED)
    rows = [
        Deadline(str(_("First contact due")), complaint.first_reply_due, finished or complaint.status != flow.RECEIVED),
        Deadline(str(_("Result due")), complaint.resolve_due, finished),
    ]
    if complaint.temporary_plan_due is not None:
        rows.append(
            Deadline(
                str(_("Temporary plan due")), complaint.temporary_plan_due, complaint.temporary_plan_at is not None
            )
        )
    if current is not None:
        rows.append(
            Deadline(
                str(_("Reply of %(department)s due", department=current.department.name)),
                current.reply_due,
                current.status == "replied",
            )
        )
    return rows


def timeline(complaint: Complaint, field_labels: Mapping[str, str]) -> list[Step]:
    """What happened, by whom. An edit shows the labels of the fields people change
    (``field_labels``, by column); one that changed none of them (the scans' own clocks,
    the system's links) is no step of a person's and is left out."""
    steps = []
    events = db.session.scalars(
        select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id).order_by(ComplaintEvent.id)
    )
    for event in events:
        what = label(ACTIONS, event.action)
        if event.department is not None:
            what = f"{what} · {event.department.name}"
        if event.target_user is not None:
            what = f"{what} → {_name(event.target_user)}"
        text = event.text or ""
        if event.action == "close" and complaint.callback:
            text = f"{label(CALLBACKS, complaint.callback)} {text}".strip()
        steps.append(Step(event.created_on, what, _name(event.actor), text))
    refunds = db.session.scalars(
        select(RefundRequest).where(RefundRequest.complaint_id == complaint.id).order_by(RefundRequest.id)
    )
    for refund in refunds:
        steps.append(
            Step(
                refund.created_on,
                str(_("Refund of ¥%(amount)s requested", amount=f"{refund.amount:,.2f}")),
                _name(refund.requested_by),
                refund.note or "",
                "refund",
            )
        )
        if refund.decided_at is not None:
            steps.append(
                Step(
                    # A request decided as it is made is stamped a moment before its row: never before it.
                    max(refund.decided_at, refund.created_on),
                    str(
                        _(
                            "Refund of %(amount)s: %(status)s",
                            amount=yuan(refund.amount),
                            status=label(REFUND_STATUSES, refund.status),
                        )
                    ),
                    _name(refund.decided_by),
                    refund.decision_note or "",
                    "refund",
                )
            )
    audit = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.table_name == "complaint", AuditLog.row_id == complaint.id)
        .order_by(AuditLog.id)
    ).all()
    # The log keeps user names; the page names the people (a script's name stays as it is).
    usernames = {entry.user for entry in audit}
    people = {
        user.username: person_name(user)
        for user in db.session.scalars(select(User).where(User.username.in_(usernames)))
    }
    people[SYSTEM] = _name(None)
    for entry in audit:
        entry_user = people.get(entry.user, entry.user)
        changed = set(entry.changes) - ACTION_FIELDS
        fields = [str(text) for field, text in field_labels.items() if field in changed]
        if entry.action == "create":
            steps.append(Step(entry.created_on, str(_("Received")), entry_user, "", "audit"))
        elif fields:
            steps.append(Step(entry.created_on, str(_("Edited")), entry_user, "、".join(fields), "audit"))
    return sorted(steps, key=lambda step: step.at)


def _escalation_possible(complaint: Complaint, now: datetime) -> bool:
    dispatched = workflow.last_dispatch(complaint)
    escalations = sum(1 for event in complaint.events if event.action == "escalate")
    try:
        flow.check_escalation(
            dispatched.status if dispatched else None, workflow.is_overdue(dispatched, now), escalations
        )
    except PolicyError:
        return False
    return True


def story(complaint: Complaint, user, field_labels: Mapping[str, str]) -> dict:
    now = clock.now()
    actions = flow.available(complaint.status, workflow.sides(complaint, user))
    if "escalate" in actions and not _escalation_possible(complaint, now):
        actions.remove("escalate")
    return {
        "complaint": complaint,
        "now": now,
        "holder": holder(complaint),
        "deadlines": deadlines(complaint),
        "countdown": countdown_phrases(),
        "timeline": timeline(complaint, field_labels),
        "actions": actions,
        "dispatch": workflow.open_dispatch(complaint),
    }
