"""Progress mails and the final result notice (SPEC.md §3.5 rule 5).

An incident (from discovery) or a complaint (from receipt) still unresolved after
more than 4 days gets a ``progress_report`` to the complaint departments and the
virtual team, then one a day until resolved, whatever the scan frequency; its
resolution sends the ``final_result`` notice (公文).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import notices, recipients
from app.extensions import db
from app.models import Complaint, ComplaintEvent, Incident
from app.policy import fast

VIRTUAL_TEAM = "VIRTUAL"
MAIL_NAMES = [
    joinedload(Complaint.receiver),
    joinedload(Complaint.category),
    joinedload(Complaint.receiving_department),
    joinedload(Complaint.responsible_department),
]


def _departments_of(
    complaint: Complaint | None, incident: Incident | None, virtual_team: list[str] | None = None
) -> list[str]:
    if incident is not None:
        ids = set(
            db.session.scalars(select(Complaint.receiving_department_id).where(Complaint.incident_id == incident.id))
        )
    else:
        ids = {complaint.receiving_department_id}
    if virtual_team is None:
        virtual_team = recipients.teams([VIRTUAL_TEAM])
    return recipients.combine(recipients.departments(sorted(ids)), virtual_team)


def _context(complaint: Complaint | None, incident: Incident | None) -> dict:
    return {
        "complaint": notices.complaint_context(complaint) if complaint is not None else {},
        "incident": {"id": incident.id, "signature": incident.topic} if incident is not None else {},
    }


def _latest_steps(complaint: Complaint) -> str:
    texts = db.session.scalars(
        select(ComplaintEvent.text)
        .where(ComplaintEvent.complaint_id == complaint.id, ComplaintEvent.text.is_not(None))
        .order_by(ComplaintEvent.id.desc())
        .limit(3)
    )
    return ";".join(texts)


def send_due(now: datetime) -> int:
    """Scan check: every progress mail that is due, once per day of handling (indexed reads only)."""
    sent = 0
    # The virtual team gets every one of them: its addresses are looked up once per scan.
    team: list[str] = []
    # Each mail's reads do not write the mails before them: the changes go out together, at commit.
    with db.session.no_autoflush:
        # With what the mail names (receiver, category, departments), read in the same statement.
        due = select(Complaint).where(Complaint.next_progress_at < now).options(*MAIL_NAMES)
        for complaint in db.session.scalars(due):
            team = team or recipients.teams([VIRTUAL_TEAM])
            sent += _send(now, team, complaint=complaint)
        for incident in db.session.scalars(select(Incident).where(Incident.next_progress_at < now)):
            team = team or recipients.teams([VIRTUAL_TEAM])
            sent += _send(now, team, incident=incident)
    return sent


def _send(
    now: datetime, virtual_team: list[str], *, complaint: Complaint | None = None, incident: Incident | None = None
) -> int:
    subject = complaint if complaint is not None else incident
    started = complaint.received_at if complaint is not None else incident.discovered_at
    days = (now - started).days
    key = f"progress_report:{'complaint' if complaint is not None else 'incident'}:{subject.id}:{days}"
    notices.notify(
        "progress_report",
        _departments_of(complaint, incident, virtual_team),
        {
            **_context(complaint, incident),
            "days": days,
            "progress": _latest_steps(complaint) if complaint is not None else (incident.first_reply_text or ""),
            "plan": "",
            "next_step": "",
        },
        key,
        complaint=complaint,
        incident_id=incident.id if incident is not None else None,
    )
    subject.progress_sent += 1
    # The next one a day later, counted from the start: a late scan sends one, not several.
    following = fast.progress_due(started, subject.progress_sent)
    while following < now:
        subject.progress_sent += 1
        following = fast.progress_due(started, subject.progress_sent)
    subject.next_progress_at = following
    return 1


def final_result(
    *, complaint: Complaint | None = None, incident: Incident | None = None, text: str | None, by, commended=()
):
    """The final result notice (公文) to the complaint departments and the virtual team."""
    subject = complaint if complaint is not None else incident
    kind = "complaint" if complaint is not None else "incident"
    notices.notify(
        "final_result",
        _departments_of(complaint, incident),
        {**_context(complaint, incident), "result": (text or "").strip(), "commended": list(commended)},
        f"final_result:{kind}:{subject.id}",
        complaint=complaint,
        incident_id=incident.id if incident is not None else None,
        # The notice as a printable PDF (app/documents.py), built when the mail is sent.
        attachments=[("final_result_pdf", f"{kind}:{subject.id}")],
    )
