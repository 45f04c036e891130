"""The monthly bulletin (SPEC.md §6): the figures of a month with known counts, and its boundaries."""

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import insert, select

from app import bulletin, clock
from app.extensions import db
from app.models import Category, Complaint
from tests.bulletin_data import EXPECTED, MONTH, NOW, insert_month


def built(app, month=MONTH, now=NOW):
    with app.app_context(), force_locale("en"):
        return bulletin.build(bulletin.parse_month(month), now)


def test_each_section_counts_what_the_month_holds(app):
    insert_month(app)
    october = built(app)
    assert [section.key for section in october.sections] == list(EXPECTED)
    for key, rows in EXPECTED.items():
        assert october.section(key).rows == rows, key


def test_an_empty_month_has_every_section_and_no_rows_but_the_overview(app):
    empty = built(app, "2030-01")
    assert [section.key for section in empty.sections] == list(EXPECTED)
    assert all(row[1:] == [0, 0, 0] for row in empty.section("overview").rows)
    assert all(section.rows == [] for section in empty.sections if section.key not in ("overview", "handling_status"))


# (received at, local time; the month whose bulletin counts it) — §6 months are local months.
BOUNDARIES = [
    ("2026-09-30T23:59", "2026-09"),  # the last local minute before October
    ("2026-10-01T00:00", "2026-10"),  # October's first local minute (2026-09-30 16:00 UTC)
    ("2026-10-31T23:59", "2026-10"),  # October's last local minute
    ("2026-11-01T00:00", "2026-11"),  # November's first local minute
]


@pytest.mark.parametrize(("received", "month"), BOUNDARIES)
def test_a_complaint_counts_in_the_local_month_it_was_received(app, received, month):
    with app.app_context():
        row = {
            "number": "DGBOUNDARY01",
            "channel": "hotline_10086",
            "category_id": db.session.scalar(select(Category.id).where(Category.code == "tariff")),
            "topic": "boundary",
            "summary": "boundary",
            "customer_phone": "13800138000",
            "received_at": clock.parse_time(received + "+08:00"),
            "receiver_id": 1,
            "receiving_department_id": 1,
        }
        db.session.execute(insert(Complaint).values(row))
        db.session.commit()
    for candidate in ("2026-09", "2026-10", "2026-11"):
        received_count = built(app, candidate).section("overview").rows[0][1]
        assert received_count == (1 if candidate == month else 0), candidate


@pytest.mark.parametrize(
    ("text", "month"),
    [("2026-10", date(2026, 10, 1)), ("2026-01", date(2026, 1, 1)), (" 2026-12 ", date(2026, 12, 1))],
)
def test_a_month_is_year_and_month(text, month):
    assert bulletin.parse_month(text) == month


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "202610", "", None, "2026-10-01", "0000-01"])
def test_anything_else_is_not_a_month(text):
    with pytest.raises(ValueError):
        bulletin.parse_month(text)


def test_the_month_before_january_is_december():
    assert bulletin.previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert bulletin.next_month(date(2026, 12, 1)) == date(2027, 1, 1)
