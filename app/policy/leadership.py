"""When a complaint or incident is reported to company leadership (SPEC.md §4.6, §3.5).

Each criterion is recorded by its number; each raises one ``leadership_report`` alert.
"""

from dataclasses import dataclass

from app.policy.fast import VOLUME_SUPERVISING_LEADER
from app.policy.i18n import _

# §3.5 criterion 5: a joint complaint by more than 3 customers.
JOINT_COMPLAINANTS_MORE_THAN = 3
# §3.5 criterion 6: more than 3 same-content complaints forwarded by escalated sources.
ESCALATED_MORE_THAN = 3
# §3.5 criterion 6: counted within the open incident, or within 30 days where there is none.
ESCALATED_WITHIN_DAYS = 30
# §3.5 criterion 1: a medium of city level or higher.
MEDIA_LEVELS = ("city", "province", "national")


# What each criterion's number means, as the alert list, the dashboard and the bulletin show it.
CRITERIA = {
    1: _("City-level or higher media interview or negative report"),
    2: _("Volume from discovery to preliminary reply over %(count)s", count=VOLUME_SUPERVISING_LEADER),
    3: _("A service hall's business affected"),
    4: _("The customer sued in court"),
    5: _("Joint complaint by more than %(count)s customers", count=JOINT_COMPLAINANTS_MORE_THAN),
    6: _("More than %(count)s same-content complaints from escalation sources", count=ESCALATED_MORE_THAN),
}


def criterion_label(number: int | None) -> str:
    """``"2. Volume … over 200"``; empty for none."""
    if number is None:
        return ""
    return f"{number}. {CRITERIA[number]}" if number in CRITERIA else str(number)


@dataclass(frozen=True)
class Facts:
    media_level: str | None = None
    media_status: str | None = None
    volume: int = 0
    hall_impact: str | None = None
    lawsuit: bool = False
    joint_complainants: int = 1
    escalated_same_content: int = 0


def criteria(facts: Facts) -> list[int]:
    """The numbers (1–6) of the criteria that hold, sorted."""
    holding = []
    if facts.media_level in MEDIA_LEVELS and facts.media_status in ("interview_requested", "reported_negative"):
        holding.append(1)
    if facts.volume > VOLUME_SUPERVISING_LEADER:
        holding.append(2)
    if facts.hall_impact in ("expected", "affected"):
        holding.append(3)
    if facts.lawsuit:
        holding.append(4)
    if (facts.joint_complainants or 1) > JOINT_COMPLAINANTS_MORE_THAN:
        holding.append(5)
    if facts.escalated_same_content > ESCALATED_MORE_THAN:
        holding.append(6)
    return holding
