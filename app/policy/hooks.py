"""The backstop: every save of a complaint passes the policy, whatever the door.

Views call the policy first to give a friendly error; this listener makes sure
that jobs, scripts and the shell cannot skip it.
"""

from sqlalchemy import event, inspect, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import clock
from app.models.catalog import Category, RefundType
from app.models.complaint import Complaint, NumberSequence
from app.models.org import Department, StaffProfile
from app.policy import catalog, complaints
from app.policy.errors import ValidationFailed
from app.policy.i18n import _
from app.policy.organisation import validate_department


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


def next_complaint_number(session: Session) -> str:
    """The next number of the local day, safe against concurrent receipts."""
    today = clock.to_local(clock.now()).date()
    key = f"complaint:{today:%Y%m%d}"
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(NumberSequence.__table__)
        .values(name=key, value=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    sequence = connection.execute(
        update(NumberSequence.__table__)
        .where(NumberSequence.__table__.c.name == key)
        .values(value=NumberSequence.__table__.c.value + 1)
        .returning(NumberSequence.__table__.c.value)
    ).scalar_one()
    return complaints.number(today, sequence)


@event.listens_for(Session, "before_flush")
def check_complaints(session, flush_context, instances):
    for obj in session.new:
        if isinstance(obj, Complaint):
            obj.refresh_derived()
            complaints.validate(obj)
            if obj.receiver_id is None or obj.receiving_department_id is None:
                raise ValidationFailed({"receiver": _("A complaint needs its receiver.")})
            if not obj.number:
                obj.number = next_complaint_number(session)
    for obj in session.dirty:
        if isinstance(obj, Complaint) and session.is_modified(obj):
            changed = complaints.changed_first_contact_fields(_changes(obj))
            if changed:
                raise ValidationFailed(
                    {field: _("Set when the complaint is received; it never changes.") for field in changed}
                )
            obj.refresh_derived()
            complaints.validate(obj)


@event.listens_for(Session, "before_flush")
def check_configuration(session, flush_context, instances):
    changed = [obj for obj in (*session.new, *session.dirty) if session.is_modified(obj) or obj in session.new]
    for obj in changed:
        if isinstance(obj, (Category, RefundType)):
            catalog.validate_entry(obj.code, obj.name)
        elif isinstance(obj, StaffProfile):
            catalog.validate_position(obj.position)
        elif isinstance(obj, Department):
            with session.no_autoflush:
                parent_changed = inspect(obj).attrs.parent.history.has_changes()
                parent_id = (obj.parent.id if obj.parent else None) if parent_changed else obj.parent_id
                edges = session.query(Department.id, Department.parent_id).all()
            validate_department(obj.id, obj.code, obj.name, obj.kind, parent_id, obj.email, edges)
