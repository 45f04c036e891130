"""Commendations and criticisms (奖惩, SPEC.md §6): against a department or a person."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, ForeignKey, Integer, String, Text, or_, select, true
from sqlalchemy.orm import relationship

from app.models.complaint import Complaint, utcnow
from app.models.org import Department, person_name
from app.models.types import UTCDateTime
from app.policy.appraisals import REASON_MAX_LENGTH
from app.policy.texts import bounded


class Appraisal(Model):
    __tablename__ = "appraisal"
    audited = True

    id = Column(Integer, primary_key=True)
    # commendation (通报表扬) or criticism (通报批评)
    kind = Column(String(12), nullable=False, index=True)
    # draft → published or discarded
    status = Column(String(10), nullable=False, default="draft", index=True)
    department_id = Column(Integer, ForeignKey("department.id"), index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    reason = Column(Text, nullable=False, info=bounded(REASON_MAX_LENGTH))
    complaint_id = Column(Integer, ForeignKey("complaint.id"), index=True)
    # Empty when drafted by the system (an overdue or returned dispatch).
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_on = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"))
    decided_at = Column(UTCDateTime)

    department = relationship(Department)
    user = relationship(User, foreign_keys=[user_id])
    complaint = relationship(Complaint)
    created_by = relationship(User, foreign_keys=[created_by_id])
    decided_by = relationship(User, foreign_keys=[decided_by_id])

    @property
    def target(self) -> str:
        if self.user is not None:
            return person_name(self.user)
        return self.department.name if self.department else ""

    @classmethod
    def visible_to(cls, viewer):
        """Those about my part of the organisation, about me, or on complaints my part received."""
        if viewer.sees_everything:
            return true()
        departments = list(viewer.department_ids)
        received_here = select(Complaint.id).where(Complaint.receiving_department_id.in_(departments))
        return or_(
            cls.department_id.in_(departments), cls.user_id == viewer.user_id, cls.complaint_id.in_(received_here)
        )
