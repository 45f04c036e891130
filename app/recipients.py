"""Who receives a notice (SPEC.md §1, §3.6): people, positions, department mailboxes, teams.

Each function turns one kind of recipient into email addresses; ``combine`` joins
them without repeats. A notice keeps the resulting list, so a later change to
the organisation does not change whom an earlier notice went to.
"""

from collections.abc import Iterable

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.extensions import db
from app.models import Department, StaffProfile, Team


def users(user_ids: Iterable[int]) -> list[str]:
    """The addresses of these users (active accounts only)."""
    ids = list(user_ids)
    if not ids:
        return []
    rows = db.session.execute(select(User.id, User.email).where(User.id.in_(ids), User.active.is_(True))).all()
    emails = dict(rows)
    return [emails[user_id] for user_id in ids if emails.get(user_id)]


def position(position_code: str, department_id: int) -> list[str]:
    """The addresses of whoever holds ``position_code`` in the department (班长, 营销经理 …)."""
    holders = db.session.scalars(
        select(StaffProfile.user_id)
        .where(StaffProfile.department_id == department_id, StaffProfile.position == position_code)
        .order_by(StaffProfile.id)
    )
    return users(holders)


def departments(department_ids: Iterable[int]) -> list[str]:
    """The departments' mailboxes; a department without one receives nothing."""
    ids = list(department_ids)
    if not ids:
        return []
    mailboxes = dict(db.session.execute(select(Department.id, Department.email).where(Department.id.in_(ids))).all())
    return [mailboxes[department_id] for department_id in ids if mailboxes.get(department_id)]


def teams(team_codes: Iterable[str]) -> list[str]:
    """Each team's leader, then its members: a department member by its mailbox, a person by theirs."""
    addresses = []
    for team in db.session.scalars(select(Team).where(Team.code.in_(list(team_codes))).order_by(Team.code)):
        members = sorted(team.members, key=lambda member: member.id)
        addresses += users([team.leader_id] if team.leader_id else [])
        addresses += departments(member.department_id for member in members if member.department_id)
        addresses += users(member.user_id for member in members if member.user_id)
    return combine(addresses)


def combine(*address_lists: Iterable[str]) -> list[str]:
    """One list, in order, each address once (compared without case)."""
    seen, combined = set(), []
    for addresses in address_lists:
        for address in addresses:
            address = address.strip()
            if address and address.lower() not in seen:
                seen.add(address.lower())
                combined.append(address)
    return combined
