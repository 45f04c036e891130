"""The one search box: complaints by number, phone number or text, as far as the viewer may see.

Numbers and phone numbers are prefix ranges on their own indexes; text goes
through the search index of app/models/search.py (trigram GIN on PostgreSQL,
FTS5 trigram on SQLite). Every query is filtered by ``Complaint.visible_to``:
rows a user may not see are neither listed nor counted.
"""

from dataclasses import dataclass

from sqlalchemy import and_, column, false, func, literal_column, or_, select, table

from app.extensions import db
from app.models import Complaint
from app.models.search import FTS_TABLE
from app.policy import search as policy

_FTS = table(FTS_TABLE, column("rowid"))


@dataclass(frozen=True)
class Results:
    query: str
    found: int  # counted up to policy.RESULT_LIMIT (+1 says "more")
    page: int
    rows: list

    @property
    def more_than_limit(self) -> bool:
        return self.found > policy.RESULT_LIMIT

    @property
    def pages(self) -> int:
        return policy.page_count(self.found)


def _prefix(column_, prefix: str):
    return and_(column_ >= prefix, column_ < policy.successor(prefix))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrase(text: str) -> str:
    """The text as one quoted FTS5 phrase, which the trigram tokenizer matches as a substring."""
    return '"' + text.replace('"', '""') + '"'


def text_condition(text: str, dialect: str):
    if dialect == "postgresql":
        pattern = f"%{_escape_like(text)}%"
        return or_(Complaint.topic.ilike(pattern, escape="\\"), Complaint.summary.ilike(pattern, escape="\\"))
    matching = select(_FTS.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(_fts_phrase(text)))
    return Complaint.id.in_(matching)


def condition(query: policy.Query, dialect: str):
    parts = []
    if query.number_prefix:
        parts.append(_prefix(Complaint.number, query.number_prefix))
    if query.phone_prefix:
        parts.append(_prefix(Complaint.customer_phone, query.phone_prefix))
    if query.text:
        parts.append(text_condition(query.text, dialect))
    return or_(*parts) if parts else false()


def statement(query: policy.Query, viewer, dialect: str):
    """The complaints matching ``query`` that ``viewer`` may see, the last recorded first."""
    visible = select(Complaint).where(Complaint.visible_to(viewer))
    if query.text and dialect != "postgresql":
        # SQLite: walk the FTS table backwards and stop at the page's end; an IN list
        # would first collect every match of a common word (0.5 s at a million rows).
        return (
            visible.join(_FTS, _FTS.c.rowid == Complaint.id)
            .where(literal_column(FTS_TABLE).op("MATCH")(_fts_phrase(query.text)))
            .order_by(_FTS.c.rowid.desc())
        )
    return visible.where(condition(query, dialect)).order_by(Complaint.id.desc())


def search(text: str | None, viewer, page: int = 0) -> Results:
    """One page of results; raises ``ValidationFailed`` for a query the index cannot serve."""
    query = policy.parse(text)
    dialect = db.session.get_bind().dialect.name
    found_rows = statement(query, viewer, dialect)
    # Counted up to the limit: a common word must not count a million rows.
    bounded = found_rows.with_only_columns(Complaint.id).order_by(None).limit(policy.RESULT_LIMIT + 1)
    found = db.session.scalar(select(func.count()).select_from(bounded.subquery()))
    page = max(0, min(page, policy.page_count(found) - 1))
    rows = db.session.scalars(found_rows.limit(policy.PAGE_SIZE).offset(page * policy.PAGE_SIZE)).all()
    return Results(query=" ".join((text or "").split()), found=found, page=page, rows=rows)
