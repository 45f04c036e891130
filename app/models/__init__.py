"""The models, one module per aggregate. Importing this package registers them all."""

from app.models.audit import AuditLog
from app.models.catalog import Category, RefundType
from app.models.complaint import Complaint, NumberSequence
from app.models.notice import EmailTemplate, Outbox
from app.models.org import Department, StaffProfile, Team, TeamMember
from app.models.refund import RefundRequest

__all__ = [
    "AuditLog",
    "Category",
    "Complaint",
    "Department",
    "EmailTemplate",
    "NumberSequence",
    "Outbox",
    "RefundRequest",
    "RefundType",
    "StaffProfile",
    "Team",
    "TeamMember",
]
