"""The codes of SPEC.md §1–3 and API.md, each with its label.

Codes are the public interface (other systems send them); labels are shown to
people, in Chinese by default.
"""

from app.policy import monitoring
from app.policy.i18n import _

DEPARTMENT_KINDS = {
    "company": _("Company"),
    "department": _("Department"),
    "center": _("Center"),
    "room": _("Room"),
    "branch": _("Regional branch"),
    "group": _("Group"),
    "hall": _("Service hall"),
    "team": _("Team"),
}

# §1: positions that receive alerts are attributes of a staff member, not roles.
POSITIONS = {
    "team_leader": _("Team leader"),
    "marketing_manager": _("Marketing manager"),
    "department_manager": _("Department manager"),
    "legal_counsel": _("Legal counsel"),
}

CHANNELS = {
    "hotline_10086": _("10086 hotline"),
    "service_hall": _("Service hall"),
    "website": _("Website"),
    "letter": _("Letter"),
    "visit": _("Visit"),
    "email": _("Email"),
}

# Ch.1 def. 3: a complaint forwarded by one of these is escalated (越级), whatever the channel.
ESCALATION_SOURCES = {
    "miit": _("MIIT"),
    "group_hq": _("China Mobile Group"),
    "provincial_ca": _("Guangdong Communications Administration"),
    "provincial_company": _("Guangdong Mobile"),
    "consumer_association": _("Consumer association"),
    "petition_office": _("Petition office"),
    "media": _("Media"),
}

CUSTOMER_VALUES = {
    "normal": _("Normal"),
    "silver": _("Silver"),
    "gold": _("Gold"),
    "diamond": _("Diamond"),
}

CAUSES = {
    "individual": _("Individual case"),
    "product_defect": _("Product defect"),
    "service_defect": _("Service defect"),
    "system_defect": _("System defect"),
    "unknown": _("Unknown"),
}

SEVERITIES = {
    "normal": _("Normal"),
    "major": _("Major"),
}

# §3.3: the three kinds of major complaint.
MAJOR_TYPES = {
    "general": _("General major"),
    "media_crisis": _("Media crisis"),
    "conflict": _("Conflict"),
}

MEDIA_LEVELS = {
    "city": _("City"),
    "province": _("Province"),
    "national": _("National"),
}

MEDIA_STATUSES = {
    "interview_requested": _("Interview requested"),
    "reported_negative": _("Reported negatively"),
}

HALL_IMPACTS = {
    "expected": _("Expected to affect a hall"),
    "affected": _("Affects a hall"),
}

# §2.1–2.3: the complaint's life.
STATUSES = {
    "received": _("Received"),
    "dispatched": _("Dispatched"),
    "in_progress": _("In progress"),
    "replied": _("Replied"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "reopened": _("Reopened"),
}

AUDIT_ACTIONS = {
    "create": _("Create"),
    "update": _("Update"),
    "delete": _("Delete"),
    # A file read (app/attachments.py): reads of attachments are recorded too.
    "download": _("Download"),
}


# API.md `outbox`: the kinds of notice, one email template each (§7).
NOTICE_TEMPLATES = {
    "alert": _("Alert"),
    "dispatch": _("Dispatch"),
    "urge": _("Urge"),
    "escalation": _("Escalation"),
    "progress_report": _("Progress report"),
    "final_result": _("Final result"),
    "meeting_notice": _("Meeting notice"),
    "meeting_minutes": _("Meeting minutes"),
    "monthly_bulletin": _("Monthly bulletin"),
    "refund_pending": _("Refund awaiting decision"),
    "refund_decided": _("Refund decided"),
    "criticism": _("Criticism"),
    "commendation": _("Commendation"),
}

# §7: a notice's life in the outbox; ``stored``: kept, not sent, as no mail server is set.
NOTICE_STATUSES = {
    "queued": _("Queued"),
    "sending": _("Sending"),
    "sent": _("Sent"),
    "failed": _("Failed"),
    "stored": _("Stored (no mail server)"),
}


def label(vocabulary: dict, code: str | None) -> str:
    """The label of ``code``, or the code itself when it is unknown."""
    if code is None:
        return ""
    return str(vocabulary.get(code, code))


# §2.5: the levels of refund authority, lowest first.
REFUND_LEVELS = {
    "frontline": _("Frontline"),
    "room_manager": _("Room manager"),
    "center_manager": _("Centre manager"),
    "leadership": _("Company leadership"),
}

REFUND_STATUSES = {
    "pending": _("Pending"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
}

LIABILITIES = {
    "yes": _("Company at fault"),
    "no": _("Company not at fault"),
}

# §2.4 flexible handling.
CONSIDERATIONS = {
    "customer_opinion": _("Customer opinion"),
    "customer_value": _("Customer value"),
    "satisfaction": _("Satisfaction"),
    "social_impact": _("Social impact"),
}

# §3: what can be done to a complaint (buttons and API actions).
ACTIONS = {
    "dispatch": _("dispatched"),
    "accept": _("accepted"),
    "reply": _("replied"),
    "return": _("returned"),
    "urge": _("urged"),
    "escalate": _("escalated"),
    "resolve": _("resolved"),
    "close": _("closed"),
    "reopen": _("reopened"),
}

CALLBACKS = {
    "satisfied": _("Satisfied"),
    "basically_satisfied": _("Basically satisfied"),
    "dissatisfied": _("Dissatisfied"),
}

# API.md `alert`: the rules that raise alerts.
ALERT_RULES = {
    "hotline_shift_3": _("3rd same-content complaint in a shift"),
    "hall_2days": _("2nd same-content complaint at a hall in two days"),
    "first_reply_overdue": _("No preliminary reply within the hour"),
    "volume_50": _("More than 50 complaints"),
    "volume_200": _("More than 200 complaints"),
    "leadership_report": _("Report to company leadership"),
    "dispatch_overdue": _("Dispatch reply overdue"),
    "temporary_plan_overdue": _("No temporary handling plan within the hour"),
    "incident_reported": _("Incident reported to your department"),
    "dispatch_replied": _("Dispatch replied"),
    "dispatch_returned": _("Dispatch returned"),
    # 小额赠费监控 (app.policy.monitoring): one rule per flag.
    "refund_daily_count": _("Direct refunds in a day"),
    "refund_daily_sum": _("Direct refund amount in a day"),
    "refund_monthly_count": _("Direct refunds in a month"),
    "refund_monthly_sum": _("Direct refund amount in a month"),
    "refund_same_customer": _(
        "Refunds to the same customer within %(days)s days", days=monitoring.SAME_CUSTOMER_WITHIN.days
    ),
    "refund_near_limit": _("Refunds just under the 100-yuan limit"),
    "refund_split_refused": _("Direct refunds refused by the anti-splitting rule"),
}

# 小额赠费监控: the flags of app.policy.monitoring.FLAGS.
MONITORING_FLAGS = {flag[len("refund_") :]: text for flag, text in ALERT_RULES.items() if flag.startswith("refund_")}

# §6 奖惩
APPRAISAL_KINDS = {
    "commendation": _("Commendation"),
    "criticism": _("Criticism"),
}

APPRAISAL_STATUSES = {
    "draft": _("Draft"),
    "published": _("Published"),
    "discarded": _("Discarded"),
}

DISPATCH_STATUSES = {
    "open": _("Awaiting response"),
    "accepted": _("Accepted"),
    "replied": _("Replied"),
    "returned": _("Returned"),
}

INCIDENT_STATUSES = {
    "open": _("Open"),
    "reported": _("Reported"),
    "replied": _("Replied"),
    "resolved": _("Resolved"),
}

# §2: the roles, as people read them.
ROLE_LABELS = {
    "Frontline": _("Frontline staff"),
    "RoomManager": _("Room manager"),
    "CenterManager": _("Centre manager"),
    "Leadership": _("Company leadership"),
    "Admin": _("Administrator"),
}
