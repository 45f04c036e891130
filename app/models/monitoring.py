"""Small-refund monitoring (小额赠费监控, SPEC.md §2.5 audit checks): thresholds and refused attempts."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship

from app.models.complaint import Complaint, utcnow
from app.models.org import Department
from app.models.refund import RefundRequest
from app.models.types import Money, UTCDateTime
from app.policy import monitoring


class MonitoringThreshold(Model):
    """The thresholds Admin sets (one row; without it, app.policy.monitoring's defaults)."""

    __tablename__ = "monitoring_threshold"
    audited = True

    id = Column(Integer, primary_key=True)
    daily_count = Column(Integer, nullable=False, default=monitoring.DAILY_COUNT)
    daily_sum = Column(Money, nullable=False, default=monitoring.DAILY_SUM)
    monthly_count = Column(Integer, nullable=False, default=monitoring.MONTHLY_COUNT)
    monthly_sum = Column(Money, nullable=False, default=monitoring.MONTHLY_SUM)
    same_customer_count = Column(Integer, nullable=False, default=monitoring.SAME_CUSTOMER_COUNT)
    near_limit_from = Column(Money, nullable=False, default=monitoring.NEAR_LIMIT_FROM)
    near_limit_count = Column(Integer, nullable=False, default=monitoring.NEAR_LIMIT_COUNT)
    split_refused_count = Column(Integer, nullable=False, default=monitoring.SPLIT_REFUSED_COUNT)

    def values(self) -> dict:
        return {name: getattr(self, name) for name in monitoring.DEFAULTS}

    def __str__(self) -> str:
        return "monitoring thresholds"


class RefundAttempt(Model):
    """A direct refund refused by the anti-splitting rule (§2.5), kept whatever became of the request.

    ``stage`` is ``request`` (the request went to a manager instead of being approved at
    once) or ``decision`` (the requester tried to approve it and was refused: nothing
    else of that attempt is saved, so this row is written in a transaction of its own).
    """

    __tablename__ = "refund_attempt"
    __table_args__ = (Index("ix_refund_attempt_user_created", "user_id", "created_on"),)

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    department_id = Column(Integer, ForeignKey("department.id"), index=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), nullable=False, index=True)
    refund_id = Column(Integer, ForeignKey("refund.id"), index=True)
    amount = Column(Money, nullable=False)
    # The complaint's running total with this amount, and the level it needs.
    total = Column(Money, nullable=False)
    required_level = Column(String(16), nullable=False)
    stage = Column(String(10), nullable=False)
    created_on = Column(UTCDateTime, nullable=False, default=utcnow, index=True)

    user = relationship(User)
    department = relationship(Department)
    complaint = relationship(Complaint)
    refund = relationship(RefundRequest)
