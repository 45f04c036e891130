"""The organisation and catalogues as saved (SPEC.md §1): categories, refund types, positions,
departments, judged by ``app.policy.catalog`` and ``app.policy.organisation`` whatever the door."""

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.models.catalog import Category, RefundType
from app.models.org import Department, StaffProfile
from app.policy import catalog
from app.policy.organisation import validate_department


def check_saved(session: Session) -> None:
    """Every new or changed catalogue entry, staff profile and department of the flush."""
    for obj in (*session.new, *session.dirty):
        if not (obj in session.new or session.is_modified(obj)):
            continue
        if isinstance(obj, Category):
            hours = {
                name: getattr(obj, name)
                for name in ("first_contact_hours", "final_result_hours", "dispatch_reply_hours")
            }
            catalog.validate_entry(obj.code, obj.name, hours)
        elif isinstance(obj, RefundType):
            catalog.validate_entry(obj.code, obj.name)
        elif isinstance(obj, StaffProfile):
            catalog.validate_position(obj.position)
        elif isinstance(obj, Department):
            with session.no_autoflush:
                parent_changed = inspect(obj).attrs.parent.history.has_changes()
                parent_id = (obj.parent.id if obj.parent else None) if parent_changed else obj.parent_id
                edges = session.query(Department.id, Department.parent_id).all()
            validate_department(obj.id, obj.code, obj.name, obj.kind, parent_id, obj.email, edges)
