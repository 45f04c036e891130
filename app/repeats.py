"""Repeat complaints (重复投诉, app.policy.repeats): linking each new complaint, and the repeat rate.

``link`` runs on every save of a complaint (app.binding), so every door (form, API,
jobs, scripts) links repeats. ``repeat_rate`` is the figure of the monthly
bulletin and the managers' dashboard, counted in the database.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from app.models import Complaint
from app.policy import repeats


def earlier_select(phone, category_id, since, until):
    """The most recent complaint of ``phone`` and ``category_id`` received in ``[since, until]`` (indexed);
    the arguments are values or bound parameters."""
    return (
        select(Complaint.id)
        .where(
            Complaint.customer_phone == phone,
            Complaint.category_id == category_id,
            Complaint.received_at >= since,
            Complaint.received_at <= until,
        )
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(1)
    )


def comparable(complaint: Complaint) -> tuple | None:
    """(phone, category id, window start, received time) of ``complaint``, or None when nothing can be compared."""
    category_id = complaint.category.id if complaint.category is not None else complaint.category_id
    if not complaint.customer_phone or category_id is None or complaint.received_at is None:
        return None
    return (
        complaint.customer_phone,
        category_id,
        repeats.window_start(complaint.received_at),
        complaint.received_at,
    )


def earlier_complaint_query(complaint: Complaint):
    """The query of ``earlier_complaint_id`` (one id or none), or None when nothing can be compared."""
    values = comparable(complaint)
    if values is None:
        return None
    query = earlier_select(*values)
    if complaint.id is not None:
        query = query.where(Complaint.id != complaint.id)
    return query


def earlier_complaint_id(session, complaint: Complaint) -> int | None:
    """The most recent earlier complaint of the same phone and category within the window (indexed)."""
    query = earlier_complaint_query(complaint)
    return None if query is None else session.scalar(query)


def link(session, complaint: Complaint, earlier_id: int | None = ...) -> None:
    """Flag ``complaint`` as a repeat of its most recent earlier one, or clear the flag.

    ``earlier_id``: the result of ``earlier_complaint_query`` when it was read with other facts."""
    complaint.repeat_of_id = earlier_complaint_id(session, complaint) if earlier_id is ... else earlier_id
    complaint.is_repeat = complaint.repeat_of_id is not None


def repeat_rate(start: datetime, end: datetime, departments: Iterable[int] | None = None) -> tuple[int, int]:
    """(repeats, total) among complaints received in ``[start, end)``, optionally of these
    receiving departments: one aggregate query. The rate is ``repeats / total``
    (app.policy.repeats.rate)."""
    from app.extensions import db

    query = select(func.count(Complaint.id), func.count(Complaint.repeat_of_id)).where(
        Complaint.received_at >= start, Complaint.received_at < end
    )
    if departments is not None:
        query = query.where(Complaint.receiving_department_id.in_(list(departments)))
    total, repeated = db.session.execute(query).one()
    return int(repeated or 0), int(total or 0)


def repeat_rate_by(start: datetime, end: datetime, column, departments: Iterable[int] | None = None):
    """``[(key, repeats, total)]`` grouped by a complaint column (e.g. ``Complaint.category_id``)."""
    from app.extensions import db

    query = (
        select(column, func.count(Complaint.repeat_of_id), func.count(Complaint.id))
        .where(Complaint.received_at >= start, Complaint.received_at < end)
        .group_by(column)
        .order_by(column)
    )
    if departments is not None:
        query = query.where(Complaint.receiving_department_id.in_(list(departments)))
    return [(key, int(repeated), int(total)) for key, repeated, total in db.session.execute(query)]
