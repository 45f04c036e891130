"""Refund and waiver requests (退费/减免), SPEC.md §2.4–2.5."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, or_, select, true
from sqlalchemy.orm import relationship

from app.models.catalog import RefundType
from app.models.complaint import Complaint, utcnow
from app.models.types import Money, UTCDateTime
from app.policy.texts import bounded


class RefundRequest(Model):
    __tablename__ = "refund"
    __table_args__ = (
        # The running total per complaint (anti-splitting) and the approvals inbox.
        Index("ix_refund_complaint_status", "complaint_id", "status"),
        Index("ix_refund_status_level", "status", "required_level"),
    )
    audited = True

    id = Column(Integer, primary_key=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), nullable=False)
    amount = Column(Money, nullable=False)
    refund_type_id = Column(Integer, ForeignKey("refund_type.id"), nullable=False, index=True)
    liability = Column(String(3), nullable=False)
    # §2.4 considerations, as "customer_opinion,satisfaction"; read through ``considerations_list``.
    considerations = Column(String(100), nullable=False, default="")
    note = Column(Text, info=bounded())
    status = Column(String(10), nullable=False, default="pending")
    required_level = Column(String(16), nullable=False)
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False, index=True)
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    decided_at = Column(UTCDateTime)
    decision_note = Column(Text, info=bounded())
    created_on = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    # Two managers deciding at once: the second UPDATE finds another version and fails.
    version = Column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    complaint = relationship(Complaint, backref="refunds")
    refund_type = relationship(RefundType)
    requested_by = relationship(User, foreign_keys=[requested_by_id])
    decided_by = relationship(User, foreign_keys=[decided_by_id])

    @property
    def considerations_list(self) -> list[str]:
        return [item for item in (self.considerations or "").split(",") if item]

    @classmethod
    def visible_to(cls, viewer):
        """Refunds of visible complaints, and those within a manager's approval scope."""
        if viewer.sees_everything:
            return true()
        conditions = [cls.complaint_id.in_(select(Complaint.id).where(Complaint.visible_to(viewer)))]
        if viewer.approval_department_ids:
            received_in_scope = Complaint.receiving_department_id.in_(list(viewer.approval_department_ids))
            conditions.append(cls.complaint_id.in_(select(Complaint.id).where(received_in_scope)))
        return or_(*conditions)

    def __str__(self) -> str:
        return f"¥{self.amount} ({self.status})"
