"""Convening a temporary complaint handling group, its meeting notice and its minutes (§5)."""

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app import notices, recipients
from app.extensions import db
from app.models import Complaint, Department, HandlingGroup, HandlingGroupMember, Incident, StaffProfile
from app.policy import groups as policy
from app.policy.organisation import unit_of


def convene(
    user: User,
    now: datetime,
    *,
    complaint: Complaint | None = None,
    incident: Incident | None = None,
    assessment: str | None = None,
) -> HandlingGroup:
    """A group for a complaint or an incident: its lead chosen by §5, its core members filled in."""
    subject = complaint or (incident.complaints[0] if incident is not None and incident.complaints else None)
    edges = db.session.query(Department.id, Department.parent_id).all()
    cause = subject.cause if subject is not None else None
    responsible = (incident.responsible_department_id if incident is not None else None) or (
        subject.responsible_department_id if subject is not None else None
    )
    receiving_unit = unit_of(subject.receiving_department_id, edges)
    lead = policy.lead_department(cause, responsible, receiving_unit)
    group = HandlingGroup(
        complaint=complaint,
        incident=incident,
        lead_department_id=lead,
        assessment=(assessment or "").strip() or None,
        created_by=user,
        created_on=now,
    )
    members = {lead, subject.receiving_department_id}
    if policy.is_defect(cause):
        members |= set(
            db.session.scalars(select(Department.id).where(Department.code.in_(policy.DEFECT_CORE_DEPARTMENTS)))
        )
        members |= set(db.session.scalars(select(Department.id).where(Department.kind == "branch")))
    for department_id in sorted(members):
        group.members.append(HandlingGroupMember(department_id=department_id, is_core=True))
    if policy.is_defect(cause):
        for counsel in db.session.scalars(
            select(StaffProfile.user_id).where(StaffProfile.position == policy.LEGAL_COUNSEL)
        ):
            group.members.append(HandlingGroupMember(user_id=counsel, is_core=True))
    db.session.add(group)
    return group


def _to(group: HandlingGroup) -> list[str]:
    return recipients.combine(
        recipients.departments(member.department_id for member in group.members if member.department_id),
        recipients.users(member.user_id for member in group.members if member.user_id),
    )


def _context(group: HandlingGroup) -> dict:
    about = group.complaint.number if group.complaint else f"事件 {group.incident_id}"
    return {
        "complaint": notices.complaint_context(group.complaint) if group.complaint else {},
        "meeting": {
            "title": f"{about} 临时投诉处理小组会议",
            "time": group.meeting_at,
            "place": group.meeting_place or "",
            "chair": group.lead_department.name,
            "attendees": [str(member) for member in group.members],
            "agenda": group.assessment or "",
        },
        "after_the_fact": group.notice_after_the_fact,
        "minutes": group.minutes or "",
        "decisions": "",
    }


def send_notice(
    group: HandlingGroup, meeting_at: datetime | None, place: str | None, after_the_fact: bool, now: datetime
) -> None:
    """The responsible department's formal meeting notice (email) to the members."""
    policy.check_notice(meeting_at, now, after_the_fact)
    group.meeting_at, group.meeting_place = meeting_at, (place or "").strip() or None
    group.notice_after_the_fact = after_the_fact
    group.notice_sent_at = now
    db.session.flush()
    notices.notify(
        "meeting_notice",
        _to(group),
        _context(group),
        f"meeting_notice:{group.id}:{int(now.timestamp())}",
        complaint=group.complaint,
        incident_id=group.incident_id,
    )


def publish_minutes(group: HandlingGroup, text: str | None, now: datetime) -> None:
    """The minutes, published as company meeting minutes to every member."""
    policy.check_minutes(text, group.minutes_published_at is not None)
    group.minutes = text.strip()
    group.minutes_published_at = now
    notices.notify(
        "meeting_minutes",
        _to(group),
        _context(group),
        f"meeting_minutes:{group.id}",
        complaint=group.complaint,
        incident_id=group.incident_id,
        attachments=[("meeting_minutes_pdf", group.id)],
    )
