"""Incidents (事件): a wave of same-content complaints handled together (SPEC.md §3.5)."""

from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, text, true
from sqlalchemy.orm import relationship

from app.models.complaint import utcnow
from app.models.org import Department
from app.models.types import UTCDateTime
from app.policy.texts import bounded


class Incident(Model):
    __tablename__ = "incident"
    __table_args__ = (
        # The rules' question on every save: is an incident of this content open?
        Index("ix_incident_signature_status", "signature", "status"),
        # §3.5 "later complaints join the open incident": at most one unresolved incident per
        # content, decided by the database even when two complaints open one at the same instant.
        Index(
            "uq_incident_open_signature",
            "signature",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )
    audited = True

    id = Column(Integer, primary_key=True)
    signature = Column(String(240), nullable=False)
    # hotline_shift_3, hall_2days or manual
    rule = Column(String(20), nullable=False)
    topic = Column(String(200), nullable=False)
    # The monthly bulletin counts the incidents discovered in a month.
    discovered_at = Column(UTCDateTime, nullable=False, index=True)
    responsible_department_id = Column(Integer, ForeignKey("department.id"), index=True)
    reported_at = Column(UTCDateTime)
    first_reply_due = Column(UTCDateTime, index=True)
    first_reply_at = Column(UTCDateTime)
    first_reply_text = Column(Text, info=bounded())
    resolved_at = Column(UTCDateTime)
    resolution_text = Column(Text, info=bounded())
    # §3.5 rule 4: complaints from discovery until the preliminary reply.
    volume = Column(Integer, nullable=False, default=0)
    # open → reported → replied → resolved
    status = Column(String(10), nullable=False, default="open", index=True)
    leadership_criteria = Column(String(16), nullable=False, default="")
    first_reply_alerted = Column(Integer, nullable=False, default=0)
    # §3.5 rule 5: the next progress mail, while unresolved after more than 4 days.
    next_progress_at = Column(UTCDateTime, index=True)
    progress_sent = Column(Integer, nullable=False, default=0)
    created_on = Column(UTCDateTime, nullable=False, default=utcnow)

    responsible_department = relationship(Department)

    @property
    def leadership_criteria_list(self) -> list[int]:
        return sorted(int(n) for n in (self.leadership_criteria or "").split(",") if n)

    @classmethod
    def visible_to(cls, viewer):
        """(decided) Incidents concern the whole company: every working role sees them."""
        return true()

    def __str__(self) -> str:
        return f"#{self.id} {self.topic}"
