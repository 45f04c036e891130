"""Alerts (预警): a rule fired, somebody was told (SPEC.md §3–4, API.md ``alert``)."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import JSON, Column, ForeignKey, Integer, String, true
from sqlalchemy.orm import relationship

from app.models.complaint import Complaint, utcnow
from app.models.types import UTCDateTime


class Alert(Model):
    __tablename__ = "alert"

    id = Column(Integer, primary_key=True)
    rule = Column(String(32), nullable=False, index=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), index=True)
    incident_id = Column(Integer, index=True)
    # 1–6 for a leadership report (§3.5), else empty.
    criterion = Column(Integer)
    # The user names told, as they were when it fired.
    recipients = Column(JSON, nullable=False)
    # A rule fires once per key (rule, object, period): the database refuses a second.
    key = Column(String(200), nullable=False, unique=True)
    created_on = Column(UTCDateTime, nullable=False, default=utcnow, index=True)

    complaint = relationship(Complaint)
    recipient_rows = relationship("AlertRecipient", back_populates="alert", cascade="all, delete-orphan")

    @property
    def related_incident_id(self) -> int | None:
        """The incident the alert is about, or the incident its complaint belongs to."""
        if self.incident_id is not None:
            return self.incident_id
        return self.complaint.incident_id if self.complaint is not None else None

    @classmethod
    def visible_to(cls, viewer):
        """Each recipient sees their alerts; company leadership sees all."""
        if viewer.sees_everything:
            return true()
        return cls.id.in_(AlertRecipient.alert_ids_of(viewer.user_id))


class AlertRecipient(Model):
    """Who an alert went to, for each recipient's list (indexed)."""

    __tablename__ = "alert_recipient"

    id = Column(Integer, primary_key=True)
    alert_id = Column(Integer, ForeignKey("alert.id"), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)

    alert = relationship(Alert, back_populates="recipient_rows")
    user = relationship(User)

    @classmethod
    def alert_ids_of(cls, user_id):
        from sqlalchemy import select

        return select(cls.alert_id).where(cls.user_id == user_id)
