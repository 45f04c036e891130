"""Temporary complaint handling groups (临时投诉处理小组), SPEC.md §5 (§3.2 of the measures)."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import relationship

from app.models.complaint import Complaint, utcnow
from app.models.incident import Incident
from app.models.org import Department, person_name
from app.models.types import UTCDateTime
from app.policy.texts import MINUTES_MAX_LENGTH, bounded


class HandlingGroup(Model):
    __tablename__ = "handling_group"
    audited = True

    id = Column(Integer, primary_key=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), index=True)
    incident_id = Column(Integer, ForeignKey("incident.id"), index=True)
    lead_department_id = Column(Integer, ForeignKey("department.id"), nullable=False, index=True)
    # Filed by the receiving department: front-line pressure and preliminary severity assessment.
    assessment = Column(Text, info=bounded(MINUTES_MAX_LENGTH))
    meeting_at = Column(UTCDateTime)
    meeting_place = Column(String(200))
    # When time is short the notice may follow the meeting; it is then recorded as after the fact.
    notice_after_the_fact = Column(Boolean, nullable=False, default=False)
    notice_sent_at = Column(UTCDateTime)
    minutes = Column(Text, info=bounded(MINUTES_MAX_LENGTH))
    minutes_published_at = Column(UTCDateTime)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_on = Column(UTCDateTime, nullable=False, default=utcnow)

    complaint = relationship(Complaint)
    incident = relationship(Incident)
    lead_department = relationship(Department)
    created_by = relationship(User)
    members = relationship("HandlingGroupMember", back_populates="group", cascade="all, delete-orphan")

    @classmethod
    def visible_to(cls, viewer):
        """(decided) Groups concern several departments: every working role sees them."""
        return true()

    def __str__(self) -> str:
        return f"#{self.id} {self.lead_department.name if self.lead_department else ''}"


class HandlingGroupMember(Model):
    __tablename__ = "handling_group_member"

    id = Column(Integer, primary_key=True)
    group_id = Column(Integer, ForeignKey("handling_group.id"), nullable=False, index=True)
    department_id = Column(Integer, ForeignKey("department.id"))
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    is_core = Column(Boolean, nullable=False, default=True)

    group = relationship(HandlingGroup, back_populates="members")
    department = relationship(Department)
    user = relationship(User)

    def __str__(self) -> str:
        if self.user is not None:
            return person_name(self.user)
        return self.department.name if self.department else ""
