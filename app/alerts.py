"""Raising an alert (预警): once per key, recorded for each recipient, and emailed.

Every rule of SPEC.md §3–4 that tells somebody something ends here: the alert
row is written in the current transaction with its recipients, and its ``alert``
notice goes out after the commit. A key that fired already fires nothing.
"""

from collections.abc import Iterable, Mapping

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app import clock, notices, recipients
from app.extensions import db
from app.models import Alert, AlertRecipient, Complaint
from app.policy.vocabulary import ALERT_RULES, label


def raise_alert(
    rule: str,
    key: str,
    user_ids: Iterable[int],
    *,
    complaint: Complaint | None = None,
    incident_id: int | None = None,
    criterion: int | None = None,
    message: str = "",
    mailboxes: Iterable[str] = (),
    count: int | None = None,
) -> int | None:
    """Record and send alert ``rule`` for ``key``; None when that key fired before."""
    session = db.session
    user_ids = list(dict.fromkeys(user_id for user_id in user_ids if user_id is not None))
    names = list(session.scalars(select(User.username).where(User.id.in_(user_ids)))) if user_ids else []
    if complaint is not None and complaint.id is None:
        session.flush()
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    alert_id = connection.execute(
        dialect.insert(Alert.__table__)
        .values(
            rule=rule,
            key=key,
            complaint_id=complaint.id if complaint is not None else None,
            incident_id=incident_id,
            criterion=criterion,
            recipients=sorted(names),
            created_on=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Alert.__table__.c.id)
    ).scalar()
    if alert_id is None:
        return None
    if user_ids:
        connection.execute(
            AlertRecipient.__table__.insert(), [{"alert_id": alert_id, "user_id": user_id} for user_id in user_ids]
        )
    context: Mapping = {
        "rule": label(ALERT_RULES, rule),
        "message": message,
        "count": count,
        "complaint": notices.complaint_context(complaint) if complaint is not None else {},
        "incident": {"id": incident_id} if incident_id else {},
    }
    notices.notify(
        "alert",
        recipients.combine(recipients.users(user_ids), mailboxes),
        context,
        f"alert:{key}",
        complaint=complaint,
        incident_id=incident_id,
    )
    return alert_id
