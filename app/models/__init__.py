"""The models, one module per aggregate. Importing this package registers them all."""

from app.models import search as _search  # noqa: F401  (the search index beside the complaint table)
from app.models.alert import Alert, AlertRecipient
from app.models.appraisal import Appraisal
from app.models.attachment import Attachment
from app.models.audit import AuditLog
from app.models.catalog import Category, RefundType
from app.models.complaint import Complaint, ComplaintEvent, Dispatch, NumberSequence
from app.models.group import HandlingGroup, HandlingGroupMember
from app.models.incident import Incident
from app.models.monitoring import MonitoringThreshold, RefundAttempt
from app.models.notice import EmailTemplate, Outbox
from app.models.org import Department, StaffProfile, Team, TeamMember
from app.models.refund import RefundRequest

__all__ = [
    "Alert",
    "AlertRecipient",
    "Appraisal",
    "Attachment",
    "AuditLog",
    "Category",
    "Complaint",
    "ComplaintEvent",
    "Department",
    "Dispatch",
    "EmailTemplate",
    "HandlingGroup",
    "HandlingGroupMember",
    "Incident",
    "MonitoringThreshold",
    "NumberSequence",
    "Outbox",
    "RefundAttempt",
    "RefundRequest",
    "RefundType",
    "StaffProfile",
    "Team",
    "TeamMember",
]
