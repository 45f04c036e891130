"""The complaint's actions (SPEC.md §3): dispatch, respond, urge, escalate, resolve, close, reopen.

Each function takes the complaint, the acting user and what they typed; asks
``app.policy.flow`` whether the action is allowed and what follows; records the
step on the complaint's timeline; and tells whom it concerns. The caller commits.
"""

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app import fast_handling, notices, recipients, repeats
from app.extensions import db
from app.models import Complaint, ComplaintEvent, Department, Dispatch
from app.models.org import person_name
from app.policy import Conflict, ValidationFailed, complaints, deadlines, flow, roles
from app.policy.i18n import _
from app.policy.organisation import subtree, unit_of
from app.security import viewer_for
from app.services.intake import arm_temporary_plan
from app.services.saves import changes_of, relations_changed

# A complaint's repeat link follows these (app.policy.repeats).
REPEAT_FIELDS = {"customer_phone", "category_id", "received_at"}
# The scan's own clocks on a complaint: a save that moves only these (a progress mail sent, an
# alert raised) changes nothing the rules judge, so they are not run again for it.
SCAN_CLOCKS = {"next_progress_at", "progress_sent", "next_due_at", "temporary_plan_alerted"}


def _edges():
    return db.session.query(Department.id, Department.parent_id).all()


def sides(complaint: Complaint, user: User) -> set[str]:
    """Which sides of the complaint ``user`` stands on (§3 首问负责制, 部门问责制)."""
    viewer = viewer_for(user)
    found = set()
    edges = _edges()
    managed = set()
    for department_id in db.session.scalars(select(Department.id).where(Department.manager_id == user.id)):
        managed |= subtree(department_id, edges)
    is_manager = roles.rank(viewer.role_names) >= roles.WORKING_ROLES.index(roles.ROOM_MANAGER)
    receiving = complaint.receiving_department_id
    if complaint.receiver_id == user.id or receiving in managed or (is_manager and receiving in viewer.department_ids):
        found.add(flow.RECEIVING)
    if complaint.responsible_department_id is not None and complaint.responsible_department_id in viewer.department_ids:
        found.add(flow.RESPONSIBLE)
    return found


def _record(complaint, user, action, *, text=None, department=None, target_user=None, now) -> ComplaintEvent:
    event = ComplaintEvent(
        complaint=complaint,
        action=action,
        actor=user,
        text=(text or "").strip() or None,
        department=department,
        target_user=target_user,
        created_on=now,
    )
    db.session.add(event)
    return event


def open_dispatch(complaint: Complaint) -> Dispatch | None:
    return db.session.scalar(
        select(Dispatch)
        .where(Dispatch.complaint_id == complaint.id, Dispatch.status.in_(("open", "accepted", "replied")))
        .order_by(Dispatch.id.desc())
    )


def last_dispatch(complaint: Complaint) -> Dispatch | None:
    return db.session.scalar(select(Dispatch).where(Dispatch.complaint_id == complaint.id).order_by(Dispatch.id.desc()))


def _department_people(department: Department) -> list[str]:
    """A department is told through its mailbox and its manager."""
    return recipients.combine(
        recipients.departments([department.id]),
        recipients.users([department.manager_id] if department.manager_id else []),
    )


def dispatch(
    complaint: Complaint, user: User, department: Department | None, note: str | None, now: datetime
) -> Dispatch:
    """§3 派单: to the department at fault, which must reply before its deadline."""
    if department is None:
        raise ValidationFailed({"department": _("This field is required.")})
    complaint.status = flow.next_status("dispatch", complaint.status, sides(complaint, user), note)
    limits = deadlines.limits_of(complaint.category)
    sent = Dispatch(
        complaint=complaint,
        department=department,
        note=(note or "").strip() or None,
        dispatched_by=user,
        dispatched_at=now,
        reply_due=deadlines.dispatch_reply_due(now, limits),
        status="open",
    )
    db.session.add(sent)
    complaint.responsible_department = department
    complaint.next_due_at = sent.reply_due
    _record(complaint, user, "dispatch", text=note, department=department, now=now)
    db.session.flush()
    notices.notify(
        "dispatch",
        _department_people(department),
        {
            "complaint": notices.complaint_context(complaint),
            "department": department.name,
            "note": sent.note or "",
            "by": person_name(user),
            "due": sent.reply_due,
        },
        f"dispatch:{sent.id}",
        complaint=complaint,
    )
    return sent


def respond(complaint: Complaint, user: User, text: str | None, accept: bool, now: datetime) -> None:
    """API.md ``respond``: ``accept: true`` accepts an unaccepted dispatch, else replies; false returns it."""
    if not accept:
        return_dispatch(complaint, user, text, now)
    elif complaint.status == flow.DISPATCHED:
        accept_dispatch(complaint, user, text, now)
    else:
        reply(complaint, user, text, now)


def _current_dispatch(complaint: Complaint) -> Dispatch:
    current = open_dispatch(complaint)
    if current is None:
        raise Conflict(_("There is no open dispatch to respond to."))
    return current


def accept_dispatch(complaint: Complaint, user: User, text: str | None, now: datetime) -> None:
    """受理: the responsible department takes the dispatch on; its reply is still due."""
    complaint.status = flow.next_status("accept", complaint.status, sides(complaint, user), text)
    current = _current_dispatch(complaint)
    current.status, current.accepted_at = "accepted", now
    _record(complaint, user, "accept", text=text, department=current.department, now=now)


def reply(complaint: Complaint, user: User, text: str | None, now: datetime) -> None:
    """答复: facts found and a proposed solution; the reply deadline is met and the receiver is told."""
    complaint.status = flow.next_status("reply", complaint.status, sides(complaint, user), text)
    current = _current_dispatch(complaint)
    if current.status != "replied":
        current.status, current.replied_at = "replied", now
    complaint.next_due_at = None
    event = _record(complaint, user, "reply", text=text, department=current.department, now=now)
    _tell_receiver(complaint, "dispatch_replied", event, current.department)


def return_dispatch(complaint: Complaint, user: User, text: str | None, now: datetime) -> None:
    """退回: with a reason; the complaint goes back to the receiving side to be dispatched again."""
    complaint.status = flow.next_status("return", complaint.status, sides(complaint, user), text)
    current = _current_dispatch(complaint)
    current.status, current.returned_at = "returned", now
    complaint.next_due_at = None
    event = _record(complaint, user, "return", text=text, department=current.department, now=now)
    _tell_receiver(complaint, "dispatch_returned", event, current.department)


def _tell_receiver(complaint: Complaint, rule: str, event: ComplaintEvent, department: Department) -> None:
    """The receiver acts next (calls the customer back, or dispatches again): an alert and its mail."""
    from app.alerts import raise_alert

    db.session.flush()
    raise_alert(
        rule,
        f"{rule}:{event.id}",
        [complaint.receiver_id],
        complaint=complaint,
        message=f"{department.name}: {event.text or ''}".strip(),
    )


def urge(complaint: Complaint, user: User, note: str | None, now: datetime) -> None:
    """催办: the receiving side presses the responsible department."""
    flow.next_status("urge", complaint.status, sides(complaint, user), note)
    current = open_dispatch(complaint)
    event = _record(complaint, user, "urge", text=note, department=current.department, now=now)
    db.session.flush()
    notices.notify(
        "urge",
        _department_people(current.department),
        {
            "complaint": notices.complaint_context(complaint),
            "department": current.department.name,
            "note": event.text or "",
            "by": person_name(user),
            "due": current.reply_due,
        },
        f"urge:{event.id}",
        complaint=complaint,
    )


def is_overdue(dispatched: Dispatch | None, now: datetime) -> bool:
    """Past its reply deadline: found by the scan, or by the clock."""
    return dispatched is not None and (dispatched.overdue or dispatched.reply_due <= now)


def escalation_recipient(department: Department, target: str) -> User | None:
    """The responsible department's manager, or its supervising company leader (its unit's)."""
    if target == "department_manager":
        return department.manager
    if department.supervising_leader is not None:
        return department.supervising_leader
    return db.session.get(Department, unit_of(department.id, _edges())).supervising_leader


def escalate(complaint: Complaint, user: User, note: str | None, now: datetime) -> User:
    """§3.4 责任追究: first the department's manager, then its supervising company leader."""
    flow.next_status("escalate", complaint.status, sides(complaint, user), note)
    dispatched = last_dispatch(complaint)
    so_far = db.session.scalar(
        select(db.func.count())
        .select_from(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.action == "escalate")
    )
    target = flow.check_escalation(dispatched.status if dispatched else None, is_overdue(dispatched, now), so_far)
    reached = escalation_recipient(dispatched.department, target)
    if reached is None:
        raise Conflict(
            _("Nobody is named to receive this escalation: ask Admin to name the department's manager and leader.")
        )
    _record(complaint, user, "escalate", text=note, department=dispatched.department, target_user=reached, now=now)
    notices.notify(
        "escalation",
        recipients.users([reached.id]),
        {
            "complaint": notices.complaint_context(complaint),
            "department": dispatched.department.name,
            "level": str(
                _("Department manager") if target == "department_manager" else _("Supervising company leader")
            ),
            "note": (note or "").strip(),
            "by": person_name(user),
        },
        f"escalation:{complaint.id}:{so_far + 1}",
        complaint=complaint,
    )
    return reached


def resolve(complaint: Complaint, user: User, text: str | None, now: datetime) -> None:
    complaint.status = flow.next_status("resolve", complaint.status, sides(complaint, user), text)
    complaint.resolved_at = now
    complaint.next_due_at = None
    complaint.next_progress_at = None
    _record(complaint, user, "resolve", text=text, now=now)
    if complaint.progress_sent:
        # §3.5 rule 5: what took more than 4 days ends with the final result notice (公文).
        from app import progress

        progress.final_result(complaint=complaint, text=text, by=user)


def close(complaint: Complaint, user: User, callback: str | None, note: str | None, now: datetime) -> None:
    """回访 and 归档: only the receiving side, with the customer's verdict."""
    new_status = flow.next_status("close", complaint.status, sides(complaint, user), note)
    complaint.callback = flow.check_callback(callback)
    complaint.callback_note = (note or "").strip() or None
    complaint.status = new_status
    complaint.closed_at = now
    _record(complaint, user, "close", text=note, now=now)


def reopen(complaint: Complaint, user: User, note: str | None, now: datetime) -> None:
    complaint.status = flow.next_status("reopen", complaint.status, sides(complaint, user), note)
    complaint.closed_at = None
    _record(complaint, user, "reopen", text=note, now=now)


def dispatch_overdue(now: datetime) -> int:
    """Scan check: a dispatch not replied to in time alerts its department's manager, once,
    and drafts a criticism (§3.4, §6). Reads only the complaints that are due (indexed)."""
    from app.alerts import raise_alert
    from app.appraisals import draft_criticism

    raised = 0
    due = db.session.scalars(select(Complaint).where(Complaint.next_due_at <= now).order_by(Complaint.next_due_at))
    for complaint in due:
        late = db.session.scalars(
            select(Dispatch).where(
                Dispatch.complaint_id == complaint.id,
                Dispatch.status.in_(("open", "accepted")),
                Dispatch.reply_due <= now,
                Dispatch.overdue.is_(False),
            )
        ).all()
        for overdue in late:
            overdue.overdue = True
            department = overdue.department
            alert = raise_alert(
                "dispatch_overdue",
                f"dispatch_overdue:{overdue.id}",
                [department.manager_id],
                complaint=complaint,
                mailboxes=recipients.departments([department.id]),
                message=str(_("%(department)s has not replied to the dispatch in time.", department=department.name)),
            )
            if alert is not None:
                draft_criticism(
                    department,
                    complaint,
                    str(_("The reply to dispatch of %(number)s was overdue.", number=complaint.number)),
                    now,
                )
                raised += 1
        complaint.next_due_at = None
    return raised


def temporary_plan_overdue(now: datetime) -> int:
    """Scan check §3.3.3: no temporary handling plan within the hour alerts the lead department's manager."""
    from app.alerts import raise_alert

    raised = 0
    late = db.session.scalars(
        select(Complaint).where(
            Complaint.temporary_plan_due <= now,
            Complaint.temporary_plan_at.is_(None),
            Complaint.temporary_plan_alerted.is_(False),
        )
    )
    for complaint in late:
        complaint.temporary_plan_alerted = True
        lead = complaint.responsible_department or complaint.receiving_department
        if raise_alert(
            "temporary_plan_overdue",
            f"temporary_plan_overdue:{complaint.id}",
            [lead.manager_id],
            complaint=complaint,
            mailboxes=recipients.departments([lead.id]),
            message=str(_("No temporary handling plan was recorded within the hour.")),
        ):
            raised += 1
    return raised


def check_changed(session: Session) -> None:
    """Every changed complaint of the flush, whatever the door: a legal step, its first-contact
    facts untouched, the rules judged again, its repeat link and leadership criteria kept."""
    for obj in session.dirty:
        if isinstance(obj, Complaint) and session.is_modified(obj):
            changes = changes_of(obj)
            if set(changes) <= SCAN_CLOCKS and not relations_changed(obj):
                continue
            if "status" in changes and changes["status"][0] is not None:
                flow.check_transition(*changes["status"])
            changed = complaints.changed_first_contact_fields(changes)
            if changed:
                raise ValidationFailed(
                    {field: _("Set when the complaint is received; it never changes.") for field in changed}
                )
            obj.refresh_derived()
            complaints.validate(obj)
            arm_temporary_plan(obj)
            with session.no_autoflush:
                if REPEAT_FIELDS & set(changes) or inspect(obj).attrs.category.history.has_changes():
                    repeats.link(session, obj)
                fast_handling.evaluate_leadership(session, obj)
