"""An incident's handling (SPEC.md §3.5): reported to a department, replied to within the hour, resolved."""

from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import fast_handling, progress, recipients
from app.alerts import raise_alert
from app.extensions import db
from app.models import Department, Incident, StaffProfile
from app.policy import incidents as policy
from app.policy.fast import FIRST_REPLY_WITHIN, first_reply_due
from app.policy.i18n import _
from app.security import viewer_for


def _sides(incident: Incident, user: User) -> tuple[bool, bool]:
    viewer = viewer_for(user)
    responsible = (
        incident.responsible_department_id is not None and incident.responsible_department_id in viewer.department_ids
    )
    return policy.is_coordinator(
        viewer.role_names, getattr(getattr(user, "profile", None), "position", None)
    ), responsible


def report(incident: Incident, user: User, department: Department | None, now: datetime) -> None:
    """Report to the responsible department: its 1-hour clock starts."""
    coordinator, _responsible = _sides(incident, user)
    incident.status = policy.next_status("report", incident.status, coordinator=coordinator, responsible=False)
    policy.require(department=department)
    incident.responsible_department = department
    incident.reported_at = now
    incident.first_reply_due = first_reply_due(now)
    fast_handling.check_volume(db.session, incident)
    _tell_department(incident, department)


def _tell_department(incident: Incident, department: Department) -> None:
    """Its members record the preliminary reply, within the hour: each is alerted, and the mailbox mailed."""
    members = db.session.scalars(select(StaffProfile.user_id).where(StaffProfile.department_id == department.id))
    hours = FIRST_REPLY_WITHIN // timedelta(hours=1)
    raise_alert(
        "incident_reported",
        f"incident_reported:{incident.id}:{department.id}",
        [department.manager_id, *members],
        incident_id=incident.id,
        mailboxes=recipients.departments([department.id]),
        message=str(
            _(
                "Incident #%(id)s was reported to %(department)s: a preliminary reply is due within %(hours)s h.",
                id=incident.id,
                department=department.name,
                hours=hours,
            )
        ),
    )


def first_reply(incident: Incident, user: User, text: str | None, now: datetime) -> None:
    coordinator, responsible = _sides(incident, user)
    incident.status = policy.next_status(
        "first_reply", incident.status, coordinator=coordinator, responsible=responsible
    )
    policy.require(text=text)
    incident.first_reply_at = now
    incident.first_reply_text = text.strip()


def resolve(incident: Incident, user: User, text: str | None, now: datetime) -> None:
    coordinator, responsible = _sides(incident, user)
    incident.status = policy.next_status("resolve", incident.status, coordinator=coordinator, responsible=responsible)
    policy.require(text=text)
    incident.resolved_at = now
    incident.resolution_text = text.strip()
    incident.next_progress_at = None
    progress.final_result(incident=incident, text=text, by=user)


def first_reply_overdue(now: datetime) -> int:
    """Scan check: no preliminary reply within the hour alerts the department's manager, once."""
    raised = 0
    late = db.session.scalars(
        select(Incident).where(
            Incident.status == "reported", Incident.first_reply_due <= now, Incident.first_reply_alerted == 0
        )
    )
    for incident in late:
        incident.first_reply_alerted = 1
        department = incident.responsible_department
        hours = FIRST_REPLY_WITHIN // timedelta(hours=1)
        if raise_alert(
            "first_reply_overdue",
            f"first_reply_overdue:{incident.id}",
            [department.manager_id],
            incident_id=incident.id,
            mailboxes=recipients.departments([department.id]),
            message=f"{department.name}未在{hours}小时内初步答复事件 #{incident.id}。",
        ):
            raised += 1
    return raised


def check_saved(session: Session) -> None:
    """§3.5 rule 6 on every new or changed incident, whatever the door (app.binding)."""
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, Incident) and (obj in session.new or session.is_modified(obj)):
                fast_handling.evaluate_incident(session, obj)
