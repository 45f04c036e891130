"""Long lists that stay fast however large the table grows.

Counting every visible row of a list costs a scan of them all: a million
complaints take longer to count than to show a page of. A list counts exactly up
to ``COUNT_CAP``; beyond it the count is ``COUNT_CAP + 1``, shown on the page as
"10000+" and returned by the API as 10001 (API.md: more than 10,000). Filters
narrow a list to an exact count again.
"""

from flask import url_for
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.widgets import ListWidget
from markupsafe import Markup
from sqlalchemy import asc, desc, literal_column
from sqlalchemy.orm import aliased

COUNT_CAP = 10_000


class AtLeast(int):
    """A count that stopped at the cap: reads as "10000+" on a page, is a number in JSON."""

    def __str__(self) -> str:
        return f"{COUNT_CAP}+"


class CappedCountInterface(SQLAInterface):
    """FAB's data interface with a list count that reads at most ``COUNT_CAP + 1`` rows."""

    def query_count(self, query, filters=None, select_columns=None) -> int:
        # Only the filters, no columns: an index that holds them answers without the table.
        rows = query.with_entities(literal_column("1")).select_from(self.obj)
        count = self._apply_inner_all(rows, filters, aliases_mapping={}).limit(COUNT_CAP + 1).count()
        return AtLeast(count) if count > COUNT_CAP else count


class NameOrderedInterface(CappedCountInterface):
    """A list whose related columns (``by_name``: relation → column of its name) sort by the
    related row's name, not its id.

    The related table is joined on the row's key column, which leads an index of the list's
    table: a page of the list is read department by department (category by category) in
    name order, without sorting every row. Ties keep the newest first."""

    def __init__(self, obj, session=None, by_name: dict[str, str] | None = None):
        # Flask-AppBuilder makes interfaces of related models with this class too: (obj, session).
        super().__init__(obj, session=session)
        self.by_name = by_name or {}

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column not in self.by_name:
            return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)
        relation = getattr(self.obj, order_column)
        related = aliased(relation.property.mapper.class_)
        optional = any(column.nullable for column in relation.property.local_columns)
        direction = asc if order_direction == "asc" else desc
        query = query.join(relation.of_type(related), isouter=optional)
        return query.order_by(direction(getattr(related, self.by_name[order_column])), desc(self.obj.id))


class NumberLinkedListWidget(ListWidget):
    """A list of complaints whose numbers open the complaint (the number is what people look for)."""

    template = "complaints/list_widget.html"


def complaint_link(complaint) -> Markup | str:
    """A complaint (a row or nothing) as its number, linked to its page."""
    if complaint is None:
        return ""
    return Markup('<a class="complaint-number" href="{}">{}</a>').format(
        url_for("ComplaintView.show", pk=complaint.id), complaint.number
    )
