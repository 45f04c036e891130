"""Receiving a complaint (SPEC.md §3): numbered, judged, joined to its wave, on every save.

``check_received`` runs before the flush for every new complaint, whatever the door
(app.binding): the rules of ``app.policy.complaints``, the day's number, the §3.5
clocks, the same-content rules and the repeat link (app.fast_handling, app.repeats),
and the leadership criteria.
"""

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import clock, fast_handling
from app.models.complaint import Complaint, NumberSequence
from app.policy import ValidationFailed, complaints, fast
from app.policy.i18n import _


def _numbering(dialect):
    """The day's counter, counted on in one round trip: the day's first number inserts the row."""
    table = NumberSequence.__table__
    insert = dialect.insert(table).values(name=bindparam("name"), value=1)
    return insert.on_conflict_do_update(index_elements=["name"], set_={"value": table.c.value + 1}).returning(
        table.c.value
    )


# Built once: the statement is the same for every complaint, only the day differs.
_NUMBERING = {"postgresql": _numbering(postgresql), "sqlite": _numbering(sqlite)}
# PostgreSQL counts on in the statement that reads the receipt's facts (a data-modifying WITH).
_NUMBERING_WITH_READS = _NUMBERING["postgresql"].cte("numbering")


def _numbering_day() -> tuple:
    today = clock.to_local(clock.now()).date()
    return today, {"name": f"complaint:{today:%Y%m%d}"}


def next_complaint_number(session: Session) -> str:
    """The next number of the local day, safe against concurrent receipts."""
    today, values = _numbering_day()
    connection = session.connection()
    statement = _NUMBERING["postgresql" if connection.dialect.name == "postgresql" else "sqlite"]
    sequence = connection.execute(statement, values).scalar_one()
    return complaints.number(today, sequence)


def arm_temporary_plan(complaint: Complaint) -> None:
    """§3.3.3: the 1-hour clock of a defect-caused major complaint starts when it becomes one."""
    if complaint.temporary_plan and complaint.temporary_plan_at is None:
        complaint.temporary_plan_at = clock.now()
    if complaint.temporary_plan_due is None and fast.needs_temporary_plan(complaint.severity, complaint.cause):
        complaint.temporary_plan_due = clock.now() + fast.TEMPORARY_PLAN_WITHIN


def check_received(session: Session) -> None:
    """Every new complaint of the flush: judged, numbered, and run through the same-content rules."""
    fast_handling.forget_reads(session)
    for obj in session.new:
        if isinstance(obj, Complaint):
            obj.refresh_derived()
            complaints.validate(obj)
            arm_temporary_plan(obj)
            if obj.receiver_id is None or obj.receiving_department_id is None:
                raise ValidationFailed({"receiver": _("A complaint needs its receiver.")})
            numbering = None
            if not obj.number:
                if session.connection().dialect.name == "postgresql":
                    today, values = numbering = _numbering_day()
                else:
                    obj.number = next_complaint_number(session)
            if obj.next_progress_at is None and obj.received_at is not None:
                obj.next_progress_at = fast.progress_due(obj.received_at, 0)
            arm_temporary_plan(obj)
            with session.no_autoflush:
                # The repeat link too (app.repeats), read with the same-content facts.
                escalated, sequence = fast_handling.evaluate_new(
                    session, obj, numbering=(_NUMBERING_WITH_READS, values) if numbering else None
                )
                if numbering:
                    obj.number = complaints.number(today, sequence)
                fast_handling.evaluate_leadership(session, obj, escalated=escalated)
