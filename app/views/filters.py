"""Row-level rights (SPEC.md §2, API.md): one filter for every view and API."""

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false

from app.security import current_viewer


class VisibleRows(BaseFilter):
    """Keeps the rows the current user may see, as the model's ``visible_to`` says.

    Use as ``base_filters = [["id", VisibleRows, None]]``.
    """

    name = "Visible to me"

    def apply(self, query, value):
        viewer = current_viewer()
        if viewer is None:
            return query.filter(false())
        return query.filter(self.model.visible_to(viewer))
