"""Who leads a temporary complaint handling group, and who sits in it (SPEC.md §5)."""

from app.policy.errors import Conflict, ValidationFailed
from app.policy.fast import DEFECT_CAUSES
from app.policy.i18n import _

# §5: core members of a group on a defect-caused complaint, by department code; with
# every regional branch and the General Dept's legal counsel.
DEFECT_CORE_DEPARTMENTS = ("MKT-SVC", "CSC")
LEGAL_COUNSEL = "legal_counsel"


def lead_department(cause: str | None, responsible_department_id: int | None, receiving_unit_id: int) -> int:
    """§5: the room that caused the key problem leads a defect-caused complaint; else the
    branch or CSC that first received it."""
    if cause in DEFECT_CAUSES and responsible_department_id is not None:
        return responsible_department_id
    return receiving_unit_id


def is_defect(cause: str | None) -> bool:
    return cause in DEFECT_CAUSES


def check_notice(meeting_at, now, after_the_fact: bool) -> None:
    """The notice goes before the meeting, or after it when recorded as after the fact."""
    if meeting_at is None:
        raise ValidationFailed({"meeting_at": _("This field is required.")})
    if meeting_at < now and not after_the_fact:
        raise ValidationFailed(
            {"meeting_at": _("The meeting is past: tick 'after the fact' to send the notice afterwards.")}
        )


def check_minutes(text: str | None, published: bool) -> None:
    if published:
        raise Conflict(_("The minutes are already published."))
    if not (text or "").strip():
        raise ValidationFailed({"minutes": _("This field is required.")})
