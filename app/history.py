"""A customer's history (客户历史): earlier complaints, refunds and callbacks by phone number.

Shown on the complaint page and beside the form while the phone number is typed,
so that an agent sees at once that this is the customer's third call this month.
(decided) Only complaints the viewer may open are listed, with their refunds and
callbacks; the others are counted ("N more you cannot open"), never described.
Every query is by the indexed phone number and limited.
"""

from datetime import datetime

from sqlalchemy import func, select

from app import clock, repeats
from app.extensions import db
from app.models import Category, Complaint, RefundRequest
from app.policy import repeats as repeat_rules
from app.policy.complaints import check_phone
from app.policy.vocabulary import CALLBACKS, REFUND_STATUSES, STATUSES, label

# At most this many complaints and refunds are listed; the counts cover them all.
HISTORY_LIMIT = 20


def month_start(now: datetime) -> datetime:
    """The start of the local calendar month of ``now``."""
    local = clock.to_local(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def customer_history(
    phone: str, viewer, now: datetime, exclude_id: int | None = None, category_id: int | None = None
) -> dict:
    """The customer's history as plain values (JSON-ready); empty for a malformed number.

    Given the category being typed, ``will_repeat`` says whether a complaint saved now would be a
    repeat (重复投诉) and ``repeat_of`` names the earlier complaint when the viewer may open it."""
    empty = {
        "phone": phone,
        "complaints": [],
        "refunds": [],
        "callbacks": [],
        "total": 0,
        "hidden": 0,
        "this_month": 0,
        "will_repeat": False,
        "repeat_of": None,
    }
    if viewer is None or check_phone(phone) is not None:
        return empty
    session = db.session
    others = [Complaint.customer_phone == phone]
    if exclude_id is not None:
        others.append(Complaint.id != exclude_id)
    visible = Complaint.visible_to(viewer)
    total, shown, this_month = session.execute(
        select(
            func.count(Complaint.id),
            func.count(Complaint.id).filter(visible),
            func.count(Complaint.id).filter(Complaint.received_at >= month_start(now)),
        ).where(*others)
    ).one()
    rows = session.execute(
        select(Complaint, Category.name)
        .join(Category, Category.id == Complaint.category_id)
        .where(*others, visible)
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    complaints = [
        {
            "id": complaint.id,
            "number": complaint.number,
            "received_at": clock.format_local(complaint.received_at),
            "category": category,
            "topic": complaint.topic,
            "status": str(label(STATUSES, complaint.status)),
            "is_repeat": complaint.is_repeat,
            "repeat_of": complaint.repeat_of_id,
        }
        for complaint, category in rows
    ]
    callbacks = [
        {
            "id": complaint.id,
            "number": complaint.number,
            "callback": str(label(CALLBACKS, complaint.callback)),
            "note": complaint.callback_note or "",
            "closed_at": clock.format_local(complaint.closed_at),
        }
        for complaint, _category in rows
        if complaint.callback
    ]
    refunds = session.execute(
        select(RefundRequest, Complaint.number)
        .join(Complaint, Complaint.id == RefundRequest.complaint_id)
        .where(*others, visible)
        .order_by(RefundRequest.created_on.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return {
        "phone": phone,
        "complaints": complaints,
        "refunds": [
            {
                "id": refund.id,
                "complaint": number,
                "amount": f"{refund.amount:.2f}",
                "status": str(label(REFUND_STATUSES, refund.status)),
                "created_on": clock.format_local(refund.created_on),
            }
            for refund, number in refunds
        ],
        "callbacks": callbacks,
        "total": total,
        "hidden": total - shown,
        "this_month": this_month,
        **_repeat(phone, category_id, now, visible, exclude_id),
    }


def _repeat(phone: str, category_id: int | None, now: datetime, visible, exclude_id: int | None) -> dict:
    if category_id is None:
        return {"will_repeat": False, "repeat_of": None}
    query = repeats.earlier_select(phone, category_id, repeat_rules.window_start(now), now)
    if exclude_id is not None:
        query = query.where(Complaint.id != exclude_id)
    earlier = db.session.scalar(query)
    if earlier is None:
        return {"will_repeat": False, "repeat_of": None}
    shown = db.session.execute(select(Complaint.id, Complaint.number).where(Complaint.id == earlier, visible)).first()
    return {"will_repeat": True, "repeat_of": {"id": shown.id, "number": shown.number} if shown else None}
