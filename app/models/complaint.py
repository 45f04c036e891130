"""The complaint (投诉工单), SPEC.md §3."""

from datetime import UTC, datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    or_,
    text,
    true,
)
from sqlalchemy.orm import relationship

from app.models.catalog import Category
from app.models.org import Department
from app.models.types import Money, UTCDateTime
from app.policy.complaints import is_escalated
from app.policy.flow import OPEN_STATUSES
from app.policy.search import PHONE_TAIL_LENGTH, PHONE_TAIL_START
from app.policy.texts import bounded

# The last digits of a phone, as the index and the search box's query both write it (literal
# numbers: an index on an expression serves only the very same expression).
PHONE_TAIL_SQL = f"substr({{column}}, {PHONE_TAIL_START}, {PHONE_TAIL_LENGTH})"

# The open statuses as SQL, for the partial index of open complaints.
OPEN_STATUS_CONDITION = f"status IN ({', '.join(repr(status) for status in OPEN_STATUSES)})"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Complaint(Model):
    __tablename__ = "complaint"
    __table_args__ = (
        # The lists people work from: newest first within a department or a receiver.
        Index("ix_complaint_receiving_received", "receiving_department_id", "received_at"),
        Index("ix_complaint_responsible_received", "responsible_department_id", "received_at"),
        Index("ix_complaint_receiver_received", "receiver_id", "received_at"),
        # By status, in the lists' order (newest first, then id): the first page straight from the index.
        Index("ix_complaint_status_received", "status", "received_at", "id"),
        # "Dispatched to my department": its department and the open statuses, oldest first.
        # Carries the row-level columns (visible_to) so that the queue's count reads the index only.
        Index(
            "ix_complaint_responsible_status_received",
            "responsible_department_id",
            "status",
            "received_at",
            postgresql_include=["receiver_id", "receiving_department_id"],
        ),
        # "Overdue": open complaints by their result deadline (closed ones are most of the table).
        Index(
            "ix_complaint_open_resolve_due",
            "resolve_due",
            postgresql_where=text(OPEN_STATUS_CONDITION),
            sqlite_where=text(OPEN_STATUS_CONDITION),
        ),
        # §3.5 same-content rules: per agent and per hall, within a time window.
        Index("ix_complaint_signature_receiver", "signature", "receiver_id", "received_at"),
        Index("ix_complaint_signature_department", "signature", "receiving_department_id", "received_at"),
        Index("ix_complaint_signature_received", "signature", "received_at"),
        # 重复投诉: the customer's earlier complaints of a category, newest first; customer history.
        Index("ix_complaint_phone_category_received", "customer_phone", "category_id", "received_at"),
        # The search box: a phone by its last four digits (app.policy.search.PHONE_TAIL_START).
        Index("ix_complaint_phone_tail", text(PHONE_TAIL_SQL.format(column="customer_phone"))),
    )
    audited = True

    id = Column(Integer, primary_key=True)
    number = Column(String(20), unique=True, nullable=False)
    channel = Column(String(20), nullable=False, index=True)
    source = Column(String(32), index=True)
    escalated = Column(Boolean, nullable=False, default=False, index=True)
    category_id = Column(Integer, ForeignKey("category.id"), nullable=False, index=True)
    topic = Column(String(200), nullable=False)
    # §4 same content: the category plus the normalised topic (app.policy.fast.signature).
    signature = Column(String(240), nullable=False, default="")
    summary = Column(Text, nullable=False, info=bounded())
    customer_phone = Column(String(11), nullable=False, index=True)
    customer_prepaid = Column(Boolean, nullable=False, default=False)
    customer_value = Column(String(16), nullable=False, default="normal")
    received_at = Column(UTCDateTime, nullable=False, index=True)
    receiver_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    receiving_department_id = Column(Integer, ForeignKey("department.id"), nullable=False)
    responsible_department_id = Column(Integer, ForeignKey("department.id"))
    disputed_amount = Column(Money)
    cause = Column(String(20), nullable=False, default="unknown")
    severity = Column(String(10), nullable=False, default="normal", index=True)
    major_type = Column(String(20))
    media_level = Column(String(10))
    media_status = Column(String(24))
    hall_impact = Column(String(10))
    lawsuit = Column(Boolean, nullable=False, default=False)
    joint_complainants = Column(Integer, nullable=False, default=1)
    status = Column(String(16), nullable=False, default="received")
    incident_id = Column(Integer, ForeignKey("incident.id"), index=True)
    # 重复投诉 (app.policy.repeats): the most recent earlier complaint of the same phone and category.
    repeat_of_id = Column(Integer, ForeignKey("complaint.id"), index=True)
    is_repeat = Column(Boolean, nullable=False, default=False, server_default=false(), index=True)
    # §3.3 conflict complaints: the checklist of what was done.
    conflict_calmed = Column(Boolean, nullable=False, default=False)
    conflict_police_called = Column(Boolean, nullable=False, default=False)
    conflict_superior_informed = Column(Boolean, nullable=False, default=False)
    conflict_party_reported = Column(Boolean, nullable=False, default=False)
    conflict_group_formed = Column(Boolean, nullable=False, default=False)
    # §3.3.3: a defect-caused major complaint's temporary handling plan, due within 1 hour.
    temporary_plan = Column(Text, info=bounded())
    temporary_plan_at = Column(UTCDateTime)
    temporary_plan_due = Column(UTCDateTime, index=True)
    temporary_plan_alerted = Column(Boolean, nullable=False, default=False)
    # §3.5 criteria that hold, as "1,5"; read through ``leadership_criteria_list``.
    leadership_criteria = Column(String(16), nullable=False, default="")
    first_reply_due = Column(UTCDateTime, index=True)
    resolve_due = Column(UTCDateTime, index=True)
    # The earliest deadline the scan must check (an open dispatch's reply): the scan
    # reads only the rows that are due, never the whole table.
    next_due_at = Column(UTCDateTime, index=True)
    # §3.5 rule 5: the next progress mail, while unresolved after more than 4 days.
    next_progress_at = Column(UTCDateTime, index=True)
    progress_sent = Column(Integer, nullable=False, default=0)
    resolved_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)
    # §3 回访: the customer's verdict, recorded by the receiving side on closing.
    callback = Column(String(20), index=True)
    callback_note = Column(Text, info=bounded())
    created_on = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    changed_on = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    category = relationship(Category)
    receiver = relationship(User, foreign_keys=[receiver_id])
    receiving_department = relationship(Department, foreign_keys=[receiving_department_id])
    responsible_department = relationship(Department, foreign_keys=[responsible_department_id])
    incident = relationship("Incident", backref="complaints")
    repeat_of = relationship("Complaint", remote_side=[id], foreign_keys=[repeat_of_id])

    def refresh_derived(self) -> None:
        """Keep the values derived from others in step with them."""
        from app.policy.fast import signature

        self.escalated = is_escalated(self.source)
        category_id = self.category.id if self.category is not None else self.category_id
        self.signature = signature(category_id, self.topic)

    @property
    def leadership_criteria_list(self) -> list[int]:
        return sorted(int(n) for n in (self.leadership_criteria or "").split(",") if n)

    @property
    def reply_due(self) -> datetime | None:
        """API.md ``reply_due``: the open dispatch's reply deadline, None when none is open."""
        waiting = [dispatch for dispatch in self.dispatches if dispatch.is_open]
        return max(waiting, key=lambda dispatch: dispatch.id).reply_due if waiting else None

    @classmethod
    def visible_to(cls, viewer):
        """§2 row-level rights: own department subtree, own receipts, dispatched to us."""
        if viewer.sees_everything:
            return true()
        departments = list(viewer.department_ids)
        return or_(
            cls.receiver_id == viewer.user_id,
            cls.receiving_department_id.in_(departments),
            cls.responsible_department_id.in_(departments),
        )

    @classmethod
    def editable_by(cls, viewer):
        """§3 首问负责制: the receiving side edits the complaint; a department it is dispatched to
        sees it and answers the dispatch, but never edits it."""
        if viewer.sees_everything:
            return true()
        return or_(cls.receiver_id == viewer.user_id, cls.receiving_department_id.in_(list(viewer.department_ids)))

    def __str__(self) -> str:
        return self.number or "(new complaint)"


class Dispatch(Model):
    """A dispatch (派单) of a complaint to the department responsible for it."""

    __tablename__ = "dispatch"
    __table_args__ = (
        Index("ix_dispatch_department_status", "department_id", "status"),
        # "Overdue": the open dispatches past their reply deadline.
        Index("ix_dispatch_status_reply_due", "status", "reply_due"),
    )
    audited = True

    id = Column(Integer, primary_key=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), nullable=False, index=True)
    department_id = Column(Integer, ForeignKey("department.id"), nullable=False)
    note = Column(Text, info=bounded())
    dispatched_by_id = Column(Integer, ForeignKey("ab_user.id"), nullable=False)
    dispatched_at = Column(UTCDateTime, nullable=False, index=True)
    reply_due = Column(UTCDateTime, nullable=False)
    # open → accepted → replied, or returned (with a reason).
    status = Column(String(10), nullable=False, default="open")
    accepted_at = Column(UTCDateTime)
    replied_at = Column(UTCDateTime)
    returned_at = Column(UTCDateTime)
    overdue = Column(Boolean, nullable=False, default=False)

    complaint = relationship(Complaint, backref="dispatches")
    department = relationship(Department)
    dispatched_by = relationship(User)

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "accepted")


class ComplaintEvent(Model):
    """One step of a complaint's story: a dispatch, a response, an urge, an escalation …"""

    __tablename__ = "complaint_event"

    id = Column(Integer, primary_key=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), nullable=False, index=True)
    action = Column(String(16), nullable=False)
    actor_id = Column(Integer, ForeignKey("ab_user.id"))
    department_id = Column(Integer, ForeignKey("department.id"))
    # Whom an escalation reached.
    target_user_id = Column(Integer, ForeignKey("ab_user.id"))
    text = Column(Text, info=bounded())
    created_on = Column(UTCDateTime, nullable=False, default=utcnow)

    complaint = relationship(Complaint, backref="events")
    actor = relationship(User, foreign_keys=[actor_id])
    target_user = relationship(User, foreign_keys=[target_user_id])
    department = relationship(Department)


class NumberSequence(Model):
    """The last number given per key (e.g. per local day for complaint numbers)."""

    __tablename__ = "number_sequence"

    name = Column(String(32), primary_key=True)
    value = Column(Integer, nullable=False, default=0)
