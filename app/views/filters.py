"""Row-level rights (SPEC.md §2, API.md): one filter for every view and API."""

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, true

from app.security import current_viewer


def has_row_rights(model) -> bool:
    """Whether some rows of ``model`` are hidden from some users (it has ``visible_to``)."""
    return hasattr(model, "visible_to")


def visible_rule(model, viewer):
    """The rows of ``model`` that ``viewer`` may see: its ``visible_to``; a catalogue's (departments,
    categories, people) are everyone's; nobody's signed out."""
    if viewer is None:
        return false()
    return model.visible_to(viewer) if has_row_rights(model) else true()


class VisibleRows(BaseFilter):
    """Keeps the rows the current user may see, as the model's ``visible_to`` says.

    Use as ``base_filters = [["id", VisibleRows, None]]``.
    """

    name = "Visible to me"

    def apply(self, query, value):
        return query.filter(visible_rule(self.model, current_viewer()))


class ReceivedByMe(BaseFilter):
    """§3 首问: the complaints I received."""

    name = "Received by me"

    def apply(self, query, value):
        viewer = current_viewer()
        return query.filter(self.model.receiver_id == (viewer.user_id if viewer else None))


class DispatchedToMyDepartment(BaseFilter):
    """Complaints waiting on my department's response."""

    name = "Dispatched to my department"

    def apply(self, query, value):
        viewer = current_viewer()
        departments = list(viewer.department_ids) if viewer else []
        return query.filter(
            self.model.responsible_department_id.in_(departments),
            self.model.status.in_(("dispatched", "in_progress")),
        )


class Overdue(BaseFilter):
    """Open complaints past their result deadline or with a dispatch past its reply deadline."""

    name = "Overdue"

    def apply(self, query, value):
        from sqlalchemy import or_, select

        from app import clock
        from app.models import Dispatch
        from app.policy.flow import OPEN_STATUSES

        now = clock.now()
        late_dispatches = select(Dispatch.complaint_id).where(
            Dispatch.status.in_(("open", "accepted")), Dispatch.reply_due < now
        )
        return query.filter(
            self.model.status.in_(OPEN_STATUSES),
            or_(self.model.resolve_due < now, self.model.id.in_(late_dispatches)),
        )


class OpenOnly(BaseFilter):
    """Complaints still being handled (not resolved or closed)."""

    name = "Open"

    def apply(self, query, value):
        from app.policy.flow import OPEN_STATUSES

        return query.filter(self.model.status.in_(OPEN_STATUSES))


class DispatchOverdueAtMyDepartment(BaseFilter):
    """Complaints whose dispatch to my department is past its reply deadline, unanswered."""

    name = "Dispatch overdue at my department"

    def apply(self, query, value):
        from sqlalchemy import select

        from app import clock
        from app.models import Dispatch

        viewer = current_viewer()
        departments = list(viewer.department_ids) if viewer else []
        late = select(Dispatch.complaint_id).where(
            Dispatch.department_id.in_(departments),
            Dispatch.status.in_(("open", "accepted")),
            Dispatch.reply_due < clock.now(),
        )
        return query.filter(self.model.id.in_(late))
