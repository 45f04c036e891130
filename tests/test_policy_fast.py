"""Same content, shifts, the hall's two days, volumes and leadership criteria (§3.5), as plain Python."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.policy.fast import (
    first_reply_due,
    hall_rule_fires,
    hall_window,
    hotline_rule_fires,
    progress_due,
    shift_of,
    signature,
    volume_alerts,
)
from app.policy.leadership import Facts, criteria

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text):
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ((1, "信号差"), (1, "信号差"), True),
        ((1, " 信号差 "), (1, "信号差"), True),  # trimmed
        ((1, "ＡＢＣ 套餐"), (1, "abc 套餐"), True),  # NFKC full-width and case-folded
        ((1, "5G   流量\t异常"), (1, "5g 流量 异常"), True),  # inner white space collapsed
        ((1, "长安镇 4G信号中断"), (1, "长安镇4G信号中断"), True),  # one space less (issue 24)
        ((1, "长安镇\u3000４Ｇ信号中断"), (1, "长安镇4g信号中断"), True),  # ideographic space, full width
        ((1, "退费未到账!"), (1, "退费未到账"), True),  # half-width punctuation
        ((1, "【梦网】扣费,未订购。"), (1, "梦网扣费未订购"), True),  # full-width punctuation and brackets
        ((1, "“流量”异常"), (1, '"流量"异常'), True),  # quotation marks of either width
        ((1, "无法上网\u200b"), (1, "无法上网"), True),  # an invisible zero-width space
        ((1, "4G信号中断"), (1, "5G信号中断"), False),  # a digit is content
        ((1, "套餐+流量"), (1, "套餐流量"), False),  # a symbol (not punctuation) is content
        ((1, "信号差"), (2, "信号差"), False),  # another category is another content
        ((1, "信号差"), (1, "信号很差"), False),
    ],
)
def test_signature(a, b, same):
    assert (signature(*a) == signature(*b)) is same


@pytest.mark.parametrize(
    ("moment", "start", "end"),
    [
        ("2026-11-28T08:00:00", "2026-11-28T08:00:00", "2026-11-28T16:00:00"),  # shift edge: the new shift
        ("2026-11-28T15:59:59", "2026-11-28T08:00:00", "2026-11-28T16:00:00"),
        ("2026-11-28T16:00:00", "2026-11-28T16:00:00", "2026-11-29T00:00:00"),
        ("2026-11-28T23:59:59", "2026-11-28T16:00:00", "2026-11-29T00:00:00"),
        ("2026-11-29T00:00:00", "2026-11-29T00:00:00", "2026-11-29T08:00:00"),
        ("2026-11-29T07:59:59", "2026-11-29T00:00:00", "2026-11-29T08:00:00"),
    ],
)
def test_shifts_by_local_time(moment, start, end):
    window = shift_of(local(moment).astimezone(ZoneInfo("UTC")), SHANGHAI)
    assert (window.start, window.end) == (local(start), local(end))


def test_the_shift_label_names_day_and_start():
    assert shift_of(local("2026-11-28T17:30:00"), SHANGHAI).label == "20261128-1600"


@pytest.mark.parametrize(("count", "fires"), [(1, False), (2, False), (3, True)])
def test_the_hotline_rule_fires_at_the_third(count, fires):
    assert hotline_rule_fires(count) is fires


@pytest.mark.parametrize(("count", "fires"), [(1, False), (2, True)])
def test_the_hall_rule_fires_at_the_second(count, fires):
    assert hall_rule_fires(count) is fires


@pytest.mark.parametrize(
    ("earlier", "later", "together"),
    [
        ("2026-11-28T09:00:00", "2026-11-28T17:00:00", True),  # same day
        ("2026-11-27T00:00:00", "2026-11-28T23:59:59", True),  # the next calendar day
        ("2026-11-26T23:59:59", "2026-11-28T00:00:00", False),  # two days apart
    ],
)
def test_the_halls_window_is_the_same_or_next_calendar_day(earlier, later, together):
    window = hall_window(local(later), SHANGHAI)
    assert (window.start <= local(earlier) < window.end) is together


@pytest.mark.parametrize(
    ("volume", "rules"),
    [(50, []), (51, ["volume_50"]), (200, ["volume_50"]), (201, ["volume_50", "volume_200"])],
)
def test_volume_thresholds_are_strictly_more_than(volume, rules):
    assert volume_alerts(volume) == rules


def test_the_one_hour_clock():
    reported = local("2026-11-28T09:00:00")
    assert first_reply_due(reported) == local("2026-11-28T10:00:00")


def test_progress_mails_after_four_days_then_daily():
    start = local("2026-11-20T09:00:00")
    assert progress_due(start, 0) == start + timedelta(days=4)
    assert progress_due(start, 2) == start + timedelta(days=6)


CRITERIA = [
    (Facts(media_level="city", media_status="interview_requested"), [1]),
    (Facts(media_level="national", media_status="reported_negative"), [1]),
    (Facts(media_level="city"), []),  # a medium, but no interview or report
    (Facts(volume=201), [2]),
    (Facts(volume=200), []),
    (Facts(hall_impact="expected"), [3]),
    (Facts(hall_impact="affected"), [3]),
    (Facts(lawsuit=True), [4]),
    (Facts(joint_complainants=4), [5]),
    (Facts(joint_complainants=3), []),
    (Facts(escalated_same_content=4), [6]),
    (Facts(escalated_same_content=3), []),
    (Facts(lawsuit=True, joint_complainants=5, volume=300), [2, 4, 5]),
]


@pytest.mark.parametrize(("facts", "expected"), CRITERIA)
def test_each_leadership_criterion_and_its_near_miss(facts, expected):
    assert criteria(facts) == expected


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("家中信号差", "家中信号差", True),
        ("家里手机信号差", "家中手机信号很差", True),
        ("5G 套餐资费争议", "5g套餐资费争议", True),
        ("家中信号差", "话费多扣", False),
        ("", "话费多扣", False),
    ],
)
def test_similar_topics(a, b, alike):
    from app.policy.fast import SUGGEST_MIN_SIMILARITY, similarity

    assert (similarity(a, b) >= SUGGEST_MIN_SIMILARITY) is alike
