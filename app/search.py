"""The one search box: complaints by number, phone number or text, as far as the viewer may see.

Numbers and phone numbers are prefix ranges on their own indexes, a phone's last four digits
an expression index (``ix_complaint_phone_tail``); words of 3 characters or more go through
the search index of app/models/search.py (trigram GIN on PostgreSQL, FTS5 trigram on SQLite),
and a 2-character word is looked for among the rows the longer words found, or among the
recent complaints when the query has no longer word. Every query is filtered by
``Complaint.visible_to``: rows a user may not see are neither listed nor counted.
"""

from dataclasses import dataclass

from sqlalchemy import and_, column, false, func, literal_column, or_, select, table

from app import clock
from app.extensions import db
from app.models import Complaint
from app.models.complaint import PHONE_TAIL_SQL
from app.models.search import FTS_TABLE
from app.policy import search as policy

_FTS = table(FTS_TABLE, column("rowid"))


@dataclass(frozen=True)
class Results:
    query: str
    found: int  # counted up to policy.RESULT_LIMIT (+1 says "more")
    page: int
    rows: list
    # Nothing matched as typed: these pieces of it did, each somewhere in the text.
    pieces: tuple[str, ...] = ()

    @property
    def more_than_limit(self) -> bool:
        return self.found > policy.RESULT_LIMIT

    @property
    def pages(self) -> int:
        return policy.page_count(self.found)


def _prefix(column_, prefix: str):
    return and_(column_ >= prefix, column_ < policy.successor(prefix))


def phone_tail():
    """The expression ``ix_complaint_phone_tail`` indexes: the phone's last four digits."""
    return literal_column(PHONE_TAIL_SQL.format(column="complaint.customer_phone"))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_match(words) -> str:
    """Each word as a quoted FTS5 phrase, all required: the trigram tokenizer matches substrings."""
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def _contains(word: str):
    pattern = f"%{_escape_like(word)}%"
    return or_(Complaint.topic.ilike(pattern, escape="\\"), Complaint.summary.ilike(pattern, escape="\\"))


def _recent():
    return Complaint.received_at >= clock.now() - policy.SHORT_WORDS_WITHIN


def text_condition(query: policy.Query, dialect: str):
    """Every word of the query, in the topic or the summary."""
    if dialect == "postgresql":
        parts = [_contains(word) for word in query.words]
    else:
        parts = [_contains(word) for word in query.short_words]
        if query.long_words:
            matching = select(_FTS.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(_fts_match(query.long_words)))
            parts.append(Complaint.id.in_(matching))
    if query.recent_only:
        parts.append(_recent())
    return and_(*parts)


def condition(query: policy.Query, dialect: str):
    parts = []
    if query.number_prefix:
        parts.append(_prefix(Complaint.number, query.number_prefix))
    if query.phone_prefix:
        parts.append(_prefix(Complaint.customer_phone, query.phone_prefix))
    if query.phone_tail:
        parts.append(phone_tail() == query.phone_tail)
    if query.text:
        parts.append(text_condition(query, dialect))
    return or_(*parts) if parts else false()


def statement(query: policy.Query, viewer, dialect: str):
    """The complaints matching ``query`` that ``viewer`` may see, the last recorded first."""
    visible = select(Complaint).where(Complaint.visible_to(viewer))
    if query.long_words and dialect != "postgresql":
        # SQLite: walk the FTS table backwards and stop at the page's end; an IN list
        # would first collect every match of a common word (0.5 s at a million rows).
        return (
            visible.join(_FTS, _FTS.c.rowid == Complaint.id)
            .where(literal_column(FTS_TABLE).op("MATCH")(_fts_match(query.long_words)))
            .where(*[_contains(word) for word in query.short_words])
            .order_by(_FTS.c.rowid.desc())
        )
    return visible.where(condition(query, dialect)).order_by(Complaint.id.desc())


def _found(found_rows) -> int:
    # Counted up to the limit: a common word must not count a million rows.
    bounded = found_rows.with_only_columns(Complaint.id).order_by(None).limit(policy.RESULT_LIMIT + 1)
    return db.session.scalar(select(func.count()).select_from(bounded.subquery()))


def search(text: str | None, viewer, page: int = 0) -> Results:
    """One page of results; raises ``ValidationFailed`` for a query the index cannot serve."""
    query = policy.parse(text)
    dialect = db.session.get_bind().dialect.name
    found_rows = statement(query, viewer, dialect)
    found = _found(found_rows)
    pieces = ()
    if not found and policy.pieces(query.text):
        # "退费未到账" as typed is in no text; its pieces may be ("退费80元仍未到账").
        pieces = policy.pieces(query.text)
        found_rows = statement(policy.Query(text=" ".join(pieces)), viewer, dialect)
        found = _found(found_rows)
    page = max(0, min(page, policy.page_count(found) - 1))
    rows = db.session.scalars(found_rows.limit(policy.PAGE_SIZE).offset(page * policy.PAGE_SIZE)).all()
    return Results(query=" ".join((text or "").split()), found=found, page=page, rows=rows, pieces=pieces)
