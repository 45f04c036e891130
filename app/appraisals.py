"""Commendations and criticisms (奖惩, SPEC.md §6): drafted, then published or discarded."""

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from app import notices, recipients
from app.extensions import db
from app.models import Appraisal, Complaint, Department
from app.models.org import person_name
from app.policy import appraisals as policy
from app.policy import roles
from app.security import viewer_for


def draft_criticism(department: Department, complaint: Complaint | None, reason: str, now: datetime) -> Appraisal:
    """A criticism drafted by the system (an overdue dispatch), for a manager to decide."""
    draft = Appraisal(
        kind="criticism", status="draft", department=department, complaint=complaint, reason=reason, created_on=now
    )
    db.session.add(draft)
    return draft


def decide(appraisal: Appraisal, user: User, publish: bool, now: datetime) -> None:
    """Publish (the department is told) or discard a draft."""
    viewer = viewer_for(user)
    if appraisal.complaint is not None:
        concerns_them = appraisal.complaint.receiving_department_id in viewer.department_ids
    else:
        concerns_them = appraisal.department_id in viewer.department_ids
    policy.check_decider(
        roles.rank(viewer.role_names) >= roles.WORKING_ROLES.index(roles.ROOM_MANAGER),
        viewer.sees_everything or concerns_them,
    )
    appraisal.status = policy.check_decision(appraisal.status, publish)
    appraisal.decided_by = user
    appraisal.decided_at = now
    if appraisal.status != "published":
        return
    db.session.flush()
    to = recipients.combine(
        recipients.departments([appraisal.department_id] if appraisal.department_id else []),
        recipients.users([appraisal.user_id] if appraisal.user_id else []),
    )
    notices.notify(
        appraisal.kind,
        to,
        {
            "target": appraisal.target,
            "reason": appraisal.reason,
            "complaint": notices.complaint_context(appraisal.complaint) if appraisal.complaint else {},
            "by": person_name(user),
        },
        f"{appraisal.kind}:{appraisal.id}",
        complaint=appraisal.complaint,
        attachments=[("appraisal_pdf", appraisal.id)],
    )


def check_saved(session: Session) -> None:
    """§6 on every new or changed appraisal, whatever the door (app.binding)."""
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Appraisal) and (obj in session.new or session.is_modified(obj)):
            policy.validate(obj.kind, obj.department_id or obj.department, obj.user_id or obj.user, obj.reason)
