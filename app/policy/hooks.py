"""The backstop: every save of a complaint passes the policy, whatever the door.

Views call the policy first to give a friendly error; this listener makes sure
that jobs, scripts and the shell cannot skip it.
"""

from sqlalchemy import bindparam, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import clock, fast_handling, monitoring, reference, repeats  # noqa: F401  reference: its listeners
from app.models.appraisal import Appraisal
from app.models.catalog import Category, RefundType
from app.models.complaint import Complaint, NumberSequence
from app.models.incident import Incident
from app.models.monitoring import MonitoringThreshold
from app.models.org import Department, StaffProfile, person_name
from app.models.refund import RefundRequest
from app.policy import appraisals, catalog, complaints, fast, flow, refunds, texts
from app.policy import monitoring as monitoring_policy
from app.policy.errors import Conflict, ValidationFailed
from app.policy.i18n import _
from app.policy.organisation import validate_department

# A complaint's repeat link follows these (app.policy.repeats).
REPEAT_FIELDS = {"customer_phone", "category_id", "received_at"}
# The scan's own clocks on a complaint: a save that moves only these (a progress mail sent, an
# alert raised) changes nothing the rules judge, so they are not run again for it.
SCAN_CLOCKS = {"next_progress_at", "progress_sent", "next_due_at", "temporary_plan_alerted"}


def _changes(obj) -> dict[str, tuple]:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[attr.key] = (old, new)
    return changes


def _relations_changed(obj) -> bool:
    """A related row set through the relationship (its key column is written only at the flush)."""
    state = inspect(obj)
    return any(state.attrs[relation.key].history.has_changes() for relation in state.mapper.relationships)


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


def _arm_temporary_plan(complaint: Complaint) -> None:
    """§3.3.3: the 1-hour clock of a defect-caused major complaint starts when it becomes one."""
    if complaint.temporary_plan and complaint.temporary_plan_at is None:
        complaint.temporary_plan_at = clock.now()
    if complaint.temporary_plan_due is None and fast.needs_temporary_plan(complaint.severity, complaint.cause):
        complaint.temporary_plan_due = clock.now() + fast.TEMPORARY_PLAN_WITHIN


_BOUNDS: dict[type, dict[str, int]] = {}


def _bounds(cls) -> dict[str, int]:
    """Attribute → the longest text its column takes (app.policy.texts), per model, read once."""
    if cls not in _BOUNDS:
        mapper = inspect(cls, raiseerr=False)
        _BOUNDS[cls] = {
            attr.key: column.info[texts.MAX_LENGTH]
            for attr in (mapper.column_attrs if mapper is not None else ())
            for column in attr.columns[:1]
            if texts.MAX_LENGTH in column.info
        }
    return _BOUNDS[cls]


@event.listens_for(Session, "before_flush")
def check_text_lengths(session, flush_context, instances):
    """Text longer than its column takes, written through any door: refused before any rule reads it."""
    for obj in (*session.new, *session.dirty):
        if bounds := _bounds(type(obj)):
            state = inspect(obj)
            texts.check_lengths(
                {key: (value, limit) for key, limit in bounds.items() for value in state.attrs[key].history.added}
            )


@event.listens_for(Session, "before_flush")
def check_complaints(session, flush_context, instances):
    fast_handling.forget_reads(session)
    for obj in session.new:
        if isinstance(obj, Complaint):
            obj.refresh_derived()
            complaints.validate(obj)
            _arm_temporary_plan(obj)
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
            _arm_temporary_plan(obj)
            with session.no_autoflush:
                # The repeat link too (app.repeats), read with the same-content facts.
                escalated, sequence = fast_handling.evaluate_new(
                    session, obj, numbering=(_NUMBERING_WITH_READS, values) if numbering else None
                )
                if numbering:
                    obj.number = complaints.number(today, sequence)
                fast_handling.evaluate_leadership(session, obj, escalated=escalated)
    for obj in session.dirty:
        if isinstance(obj, Complaint) and session.is_modified(obj):
            changes = _changes(obj)
            if set(changes) <= SCAN_CLOCKS and not _relations_changed(obj):
                continue
            if "status" in changes and changes["status"][0] is not None:
                flow.check_transition(*changes["status"])
            changed = complaints.changed_first_contact_fields(changes)
            if changed:
                raise ValidationFailed(
                    {field: _("Set when the complaint is received; it never changes.") for field in changed}
                )
            obj.refresh_derived()
            complaints.validate(obj)
            _arm_temporary_plan(obj)
            with session.no_autoflush:
                if REPEAT_FIELDS & set(changes) or inspect(obj).attrs.category.history.has_changes():
                    repeats.link(session, obj)
                fast_handling.evaluate_leadership(session, obj)


@event.listens_for(Session, "before_flush")
def check_configuration(session, flush_context, instances):
    changed = [obj for obj in (*session.new, *session.dirty) if session.is_modified(obj) or obj in session.new]
    for obj in changed:
        if isinstance(obj, Category):
            hours = {
                name: getattr(obj, name)
                for name in ("first_contact_hours", "final_result_hours", "dispatch_reply_hours")
            }
            catalog.validate_entry(obj.code, obj.name, hours)
        elif isinstance(obj, RefundType):
            catalog.validate_entry(obj.code, obj.name)
        elif isinstance(obj, Appraisal):
            appraisals.validate(obj.kind, obj.department_id or obj.department, obj.user_id or obj.user, obj.reason)
        elif isinstance(obj, MonitoringThreshold):
            if obj in session.new and session.query(MonitoringThreshold.id).first() is not None:
                raise Conflict(_("The thresholds exist already: edit them."))
            # An empty value takes its column's default on insert.
            values = {name: getattr(obj, name) for name in monitoring_policy.DEFAULTS}
            monitoring_policy.validate_thresholds(
                {name: monitoring_policy.DEFAULTS[name] if value is None else value for name, value in values.items()}
            )
        elif isinstance(obj, StaffProfile):
            catalog.validate_position(obj.position)
        elif isinstance(obj, Department):
            with session.no_autoflush:
                parent_changed = inspect(obj).attrs.parent.history.has_changes()
                parent_id = (obj.parent.id if obj.parent else None) if parent_changed else obj.parent_id
                edges = session.query(Department.id, Department.parent_id).all()
            validate_department(obj.id, obj.code, obj.name, obj.kind, parent_id, obj.email, edges)


@event.listens_for(Session, "before_flush")
def check_refunds(session, flush_context, instances):
    """§2.4–2.5 on every save of a refund request, whatever the door."""
    now = clock.now()
    running_totals = {}
    with session.no_autoflush:
        for obj in sorted((o for o in session.new if isinstance(o, RefundRequest)), key=id):
            complaint_id = obj.complaint.id if obj.complaint is not None else obj.complaint_id
            if complaint_id is not None and complaint_id not in running_totals:
                running_totals[complaint_id] = refunds.counted_total(session, complaint_id)
            # The API gives ids; the rules read the related rows.
            if obj.complaint is None and complaint_id is not None:
                obj.complaint = session.get(Complaint, complaint_id)
            if obj.refund_type is None and obj.refund_type_id is not None:
                obj.refund_type = session.get(RefundType, obj.refund_type_id)
            refunds.admit(session, obj, running_totals.get(complaint_id, 0), now)
            if obj.status == refunds.PENDING and monitoring.refused_by_splitting(obj, obj.requested_by):
                # 小额赠费监控: the direct refund the running total refused, kept for the audit.
                total = running_totals.get(complaint_id, 0) + obj.amount
                session.add(monitoring.attempt(obj, obj.requested_by, "request", total))
            if obj.status in refunds.COUNTED_STATUSES:
                running_totals[complaint_id] += obj.amount
        for obj in session.dirty:
            if isinstance(obj, RefundRequest) and session.is_modified(obj):
                changes = _changes(obj)
                if "status" in changes and obj.complaint_id not in running_totals:
                    # A decision waits for the requests and decisions under way on its complaint.
                    refunds.serialise(session, obj.complaint_id)
                refunds.check_change(session, obj, changes)
        for obj in session.deleted:
            if isinstance(obj, RefundRequest):
                history = inspect(obj).attrs.status.history
                refunds.check_unchanged(history.deleted[0] if history.deleted else obj.status)


@event.listens_for(Session, "after_flush")
def notify_refunds(session, flush_context):
    """§2.5: a pending request asks its deciders; a decision tells the requester."""
    from app import notices, recipients

    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, RefundRequest):
            continue
        history = inspect(obj).attrs.status.history
        became_pending = obj in session.new and obj.status == refunds.PENDING
        decided = history.deleted and history.deleted[0] == refunds.PENDING and obj.status != refunds.PENDING
        if not (became_pending or decided):
            continue
        with session.no_autoflush:
            context = {"complaint": notices.complaint_context(obj.complaint), "refund": refund_context(obj)}
            if became_pending:
                to = recipients.users(refunds.decider_ids(session, obj))
                notices.notify("refund_pending", to, context, f"refund_pending:{obj.id}", complaint=obj.complaint)
            elif obj.decided_by_id != obj.requested_by_id:
                to = recipients.users([obj.requested_by_id])
                notices.notify("refund_decided", to, context, f"refund_decided:{obj.id}", complaint=obj.complaint)


def refund_context(refund: RefundRequest) -> dict:
    """A refund request as the plain values its templates read."""
    from app.policy.vocabulary import REFUND_LEVELS, REFUND_STATUSES, label

    return {
        "amount": refund.amount,
        "type": refund.refund_type.name if refund.refund_type else "",
        "level": label(REFUND_LEVELS, refund.required_level),
        "requested_by": person_name(refund.requested_by),
        "decision": label(REFUND_STATUSES, refund.status),
        "decided_by": person_name(refund.decided_by),
        "note": refund.decision_note if refund.status != refunds.PENDING else refund.note,
    }


@event.listens_for(Session, "before_flush")
def check_incidents(session, flush_context, instances):
    """§3.5 rule 6 on every save of an incident."""
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, Incident) and (obj in session.new or session.is_modified(obj)):
                fast_handling.evaluate_incident(session, obj)


@event.listens_for(Session, "after_flush")
def raise_fast_handling_alerts(session, flush_context):
    """§3.5: the alerts of the rules evaluated before the flush, now that the rows have ids."""
    with session.no_autoflush:
        fast_handling.after_flush(session)
