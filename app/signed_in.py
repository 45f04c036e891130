"""Per-process copies of the signed-in users: every request is made by one, read with roles, groups and profile.

A page (its session cookie) and an API call (its token) both name a user, whom
Flask-AppBuilder loads before anything else, on every request. Each process
keeps one copy of each user it has seen, read in one statement, and hands each
request its own instance of it (merged into the request's session, no SQL).

The rule of freshness:

- a process drops its copy of a user when one of its sessions commits a change
  to that user or their staff profile, and every copy on a change to a role or
  a group, so its next request reads them anew;
- a session holding such a change not yet committed reads the user itself;
- every other process (other web processes, the workers) reads a user again at
  the latest ``SIGNED_IN_TTL`` seconds after its copy was made.

So a user deactivated, or given other roles or another department, is treated
so at once by the process that saved it and within ``SIGNED_IN_TTL`` seconds by
every other.
"""

from __future__ import annotations

import threading
import time

from flask_appbuilder.security.sqla.models import Group, Role, User
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models.org import StaffProfile

# Seconds another process may go on trusting its copy of a user changed elsewhere.
SIGNED_IN_TTL = 10

_CHANGED = "signed_in_changed"

_copies: dict[tuple[str, int], tuple[float, object]] = {}
_lock = threading.Lock()


def load(session, pk: int, options) -> User | None:
    """The user ``pk`` in ``session``, as the rule above allows: from this process's copy when it is fresh."""
    if session.info.get(_CHANGED):
        return session.get(User, pk, options=options)
    bind = session.get_bind()
    key = (str(bind.url), pk)
    copy = _copies.get(key)
    if copy is None or time.monotonic() - copy[0] > SIGNED_IN_TTL:
        read_at = time.monotonic()
        with Session(bind) as own:
            user = own.get(User, pk, options=options)
        if user is None:
            return None
        copy = (read_at, user)
        with _lock:
            _copies[key] = copy
    # The copy is detached and fully loaded: merging it without loading copies its state, sends no SQL.
    return session.merge(copy[1], load=False)


def clear(user_ids=None) -> None:
    """Drop the copies of ``user_ids`` (every copy when None): their next request reads them again."""
    with _lock:
        if user_ids is None:
            _copies.clear()
            return
        for key in [key for key in _copies if key[1] in user_ids]:
            del _copies[key]


_EVERYONE = "everyone"


@event.listens_for(Session, "after_flush")
def _note_changes(session, flush_context):
    """Which users the transaction changes: a user or staff profile names one (a sign-in writes its
    user's last login); a role or group may concern anyone."""
    changed = session.info.get(_CHANGED)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if changed == _EVERYONE:
            break
        if isinstance(obj, User | StaffProfile):
            changed = changed or set()
            changed.add(obj.id if isinstance(obj, User) else obj.user_id)
        elif isinstance(obj, Role | Group):
            changed = _EVERYONE
    if changed:
        session.info[_CHANGED] = changed


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session):
    changed = session.info.pop(_CHANGED, None)
    if changed:
        clear(None if changed == _EVERYONE else changed)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session):
    session.info.pop(_CHANGED, None)
