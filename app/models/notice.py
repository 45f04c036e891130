"""Notices (SPEC.md §7): the outbox of emails and the templates they are rendered from."""

from flask_appbuilder import Model
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from app.models.complaint import Complaint, utcnow
from app.models.types import UTCDateTime
from app.policy.notices import QUEUED, TEMPLATE_MAX_LENGTH
from app.policy.texts import bounded


class Outbox(Model):
    """One email notice, written in the same transaction as the change that caused it.

    The change stores the template's code and the values it reads (``context``); the worker
    renders ``subject`` and ``body`` when it first takes the notice (null until then)."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The scan's question: which queued notices are due, which sending ones are stale.
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
    )

    id = Column(Integer, primary_key=True)
    template = Column(String(32), nullable=False, index=True)
    recipients = Column(JSON, nullable=False)
    # The plain values the template reads, as JSON (times, days and amounts tagged: app/notices.py).
    context = Column(JSON)
    subject = Column(String(255))
    body = Column(Text)
    # §7: at most one notice per key (template, object, period), enforced by the database.
    key = Column(String(200), nullable=False, unique=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), index=True)
    incident_id = Column(Integer, index=True)
    status = Column(String(10), nullable=False, default=QUEUED)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    next_attempt_at = Column(UTCDateTime)
    attempted_at = Column(UTCDateTime)
    created_on = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    sent_on = Column(UTCDateTime)
    # Files built when the notice is sent, so a retry carries fresh ones: [[builder, argument], ...]
    # (the builders are registered in app/notices.py).
    attachments = Column(JSON)

    complaint = relationship(Complaint)

    def __str__(self) -> str:
        return self.subject or self.key


class EmailTemplate(Model):
    """The subject and body of one kind of notice, as Admin edits them (sandboxed Jinja)."""

    __tablename__ = "email_template"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)
    subject = Column(String(255), nullable=False, info=bounded(255))
    body = Column(Text, nullable=False, info=bounded(TEMPLATE_MAX_LENGTH))
    changed_on = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.code
