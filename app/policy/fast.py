"""Fast handling of same-content complaints (SPEC.md §3.5, §4).

Two complaints have the same content when their signature is equal: the category
plus the topic normalised so that what trivially differs does not count: full and
half width (Unicode NFKC), letter case, white space and punctuation anywhere.
Each rule fires once per its key; later complaints join the incident.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_SPACES = re.compile(r"\s+")

# §3.5 rule 1: the 3rd complaint of the same content taken by one 10086 agent in one shift.
HOTLINE_SHIFT_COUNT = 3
# §3.5 rule 2: the 2nd complaint of the same content at one service hall on the same or next day.
HALL_COUNT = 2
HALL_DAYS = 2
# (decided, editable) 10086 shifts start at these local times: 08:00–16:00, 16:00–24:00, 00:00–08:00.
SHIFT_STARTS = (time(0, 0), time(8, 0), time(16, 0))

# §3.5 rule 3: the responsible department's preliminary reply within 1 hour of being reported to.
FIRST_REPLY_WITHIN = timedelta(hours=1)
# §3.5 rule 4: volume from discovery to the preliminary reply, strictly more than these.
VOLUME_DEPARTMENT_MANAGER = 50
VOLUME_SUPERVISING_LEADER = 200
# §3.5 rule 5: a progress mail when handling takes more than 4 days, then one a day.
PROGRESS_AFTER = timedelta(days=4)
PROGRESS_EVERY = timedelta(days=1)
# §3.3.3: a defect-caused major complaint needs a temporary handling plan within 1 hour.
TEMPORARY_PLAN_WITHIN = timedelta(hours=1)


# §4 (decided): white space (Unicode Z*, controls) and punctuation (P*) never tell two topics apart.
_IGNORED_CATEGORIES = ("Z", "P", "C")


def normalised_topic(topic: str | None) -> str:
    """The topic as compared: "长安镇 4G信号中断。" and "长安镇４Ｇ信号中断" read the same."""
    text = unicodedata.normalize("NFKC", topic or "").casefold()
    return "".join(char for char in text if not unicodedata.category(char).startswith(_IGNORED_CATEGORIES))


def signature(category_id: int | None, topic: str | None) -> str:
    """``<category>:<normalised topic>``: equal signatures mean the same content."""
    return f"{category_id}:{normalised_topic(topic)}"


@dataclass(frozen=True)
class Window:
    """A span of time [start, end) in which complaints are counted together."""

    start: datetime
    end: datetime
    label: str


def shift_of(moment: datetime, zone: ZoneInfo, starts: tuple[time, ...] = SHIFT_STARTS) -> Window:
    """The 10086 shift ``moment`` falls in, by local time."""
    local = moment.astimezone(zone)
    boundaries = [
        datetime.combine(local.date() + timedelta(days=offset), start, zone)
        for offset in (-1, 0, 1)
        for start in starts
    ]
    start = max(boundary for boundary in boundaries if boundary <= local)
    end = min(boundary for boundary in boundaries if boundary > local)
    return Window(start, end, f"{start:%Y%m%d-%H%M}")


def hall_window(moment: datetime, zone: ZoneInfo) -> Window:
    """The same or the previous calendar day, by local time: [yesterday 00:00, tomorrow 00:00)."""
    day: date = moment.astimezone(zone).date()
    start = datetime.combine(day - timedelta(days=HALL_DAYS - 1), time(0), zone)
    return Window(start, datetime.combine(day + timedelta(days=1), time(0), zone), f"{day:%Y%m%d}")


def hotline_rule_fires(count_in_shift: int) -> bool:
    """Fires at the 3rd (exactly: later ones join the incident instead of firing again)."""
    return count_in_shift >= HOTLINE_SHIFT_COUNT


def hall_rule_fires(count_in_window: int) -> bool:
    return count_in_window >= HALL_COUNT


def volume_alerts(volume: int) -> list[str]:
    """The volume rules that hold (§3.5 rule 4): strictly more than 50, more than 200."""
    rules = []
    if volume > VOLUME_DEPARTMENT_MANAGER:
        rules.append("volume_50")
    if volume > VOLUME_SUPERVISING_LEADER:
        rules.append("volume_200")
    return rules


def first_reply_due(reported_at: datetime) -> datetime:
    return reported_at + FIRST_REPLY_WITHIN


def progress_due(started: datetime, sent_so_far: int, every: timedelta = PROGRESS_EVERY) -> datetime:
    """When the next progress mail is due: more than 4 days after the start, then each interval."""
    return started + PROGRESS_AFTER + every * sent_so_far


DEFECT_CAUSES = ("product_defect", "service_defect", "system_defect")
# §3.3 conflict complaints: what the receiving side records it has done.
CONFLICT_CHECKLIST = (
    "conflict_calmed",
    "conflict_police_called",
    "conflict_superior_informed",
    "conflict_party_reported",
    "conflict_group_formed",
)


def needs_temporary_plan(severity: str | None, cause: str | None) -> bool:
    """§3.3.3: a major complaint caused by a product, service or system defect."""
    return severity == "major" and cause in DEFECT_CAUSES


# Suggestions while typing a topic: the recent complaints compared, and how alike they must be.
SUGGEST_WITHIN = timedelta(days=30)
SUGGEST_CANDIDATES = 500
SUGGEST_MIN_SIMILARITY = 0.3


def _bigrams(text: str) -> set[str]:
    normal = _SPACES.sub("", unicodedata.normalize("NFKC", text or "").casefold())
    return {normal[i : i + 2] for i in range(len(normal) - 1)} or ({normal} if normal else set())


def similarity(a: str, b: str) -> float:
    """Chinese text similarity: the Jaccard index of the character bigrams (0 … 1)."""
    first, second = _bigrams(a), _bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)
