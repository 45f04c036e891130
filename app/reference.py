"""Per-process copies of what every complaint reads and seldom changes: the department tree and the categories.

Receiving a complaint reads the department tree (the viewer's row-level rights,
the hall rule of §3.5) and the category (it must exist; its deadlines, §3.2).
Each process keeps one copy of both per database, read in two statements.

The rule of freshness:

- a process drops its copy when one of its sessions commits a change to a
  department or a category, so that process's next request reads them anew;
- a session holding such a change not yet committed reads the tables itself
  (its own change is seen at once, and not shared before it is committed);
- every other process (other web processes, the workers) reads them again at
  the latest ``REFERENCE_TTL`` seconds after its copy was made.

A category deleted in another process within those seconds passes the intake's
existence check and is then refused by its foreign key (409).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.models.catalog import Category
from app.models.org import Department

# Seconds a process trusts its copy when the change was made elsewhere (as for the Public role).
REFERENCE_TTL = 60

_CHANGED = "reference_changed"


@dataclass(frozen=True)
class CategoryLimits:
    """A category as the intake reads it: its code and its own deadlines (app.policy.deadlines.limits_of)."""

    id: int
    code: str
    name: str
    first_contact_hours: int | None
    final_result_hours: int | None
    dispatch_reply_hours: int | None


@dataclass(frozen=True)
class Reference:
    read_at: float
    edges: tuple[tuple[int, int | None], ...]
    kinds: dict[int, str]
    categories: dict[int, CategoryLimits]


_copies: dict[str, Reference] = {}
_lock = threading.Lock()


def _read(session) -> Reference:
    departments = session.execute(select(Department.id, Department.parent_id, Department.kind)).all()
    categories = session.execute(
        select(
            Category.id,
            Category.code,
            Category.name,
            Category.first_contact_hours,
            Category.final_result_hours,
            Category.dispatch_reply_hours,
        )
    ).all()
    return Reference(
        read_at=time.monotonic(),
        edges=tuple((row.id, row.parent_id) for row in departments),
        kinds={row.id: row.kind for row in departments},
        categories={row.id: CategoryLimits(*row) for row in categories},
    )


def reference(session) -> Reference:
    """The department tree and the categories as ``session`` should see them (see the rule above)."""
    if session.info.get(_CHANGED):
        return _read(session)
    key = str(session.get_bind().url)
    copy = _copies.get(key)
    if copy is None or time.monotonic() - copy.read_at > REFERENCE_TTL:
        copy = _read(session)
        with _lock:
            _copies[key] = copy
    return copy


def department_edges(session) -> tuple[tuple[int, int | None], ...]:
    """``(id, parent_id)`` of every department (app.policy.organisation.subtree reads these)."""
    return reference(session).edges


def _found(session, lookup, key):
    """``lookup(copy)[key]``; a key the copy lacks (a row new to this process) reads the tables anew once."""
    if key is None:
        return None
    found = lookup(reference(session)).get(key)
    if found is None and not session.info.get(_CHANGED):
        clear()
        found = lookup(reference(session)).get(key)
    return found


def department_kind(session, department_id: int | None) -> str | None:
    """The department's kind (app.policy.vocabulary.DEPARTMENT_KINDS), or None when there is no such department."""
    return _found(session, lambda copy: copy.kinds, department_id)


def category(session, category_id: int | None) -> CategoryLimits | None:
    """The category, or None when there is none."""
    return _found(session, lambda copy: copy.categories, category_id)


def clear() -> None:
    """Drop every copy: the next request reads the tables again."""
    with _lock:
        _copies.clear()


@event.listens_for(Session, "after_flush")
def _note_changes(session, flush_context):
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Department | Category):
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session):
    if session.info.pop(_CHANGED, False):
        clear()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session):
    session.info.pop(_CHANGED, None)
