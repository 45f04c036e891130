"""The four working roles of SPEC.md §2, lowest first.

A higher role holds every right of the lower ones. ``Admin`` configures the
system and does no complaint work.
"""

FRONTLINE = "Frontline"
ROOM_MANAGER = "RoomManager"
CENTER_MANAGER = "CenterManager"
LEADERSHIP = "Leadership"
ADMIN = "Admin"

WORKING_ROLES = (FRONTLINE, ROOM_MANAGER, CENTER_MANAGER, LEADERSHIP)


def rank(role_names) -> int:
    """The highest working role held, as an index into ``WORKING_ROLES`` (-1: none)."""
    return max((WORKING_ROLES.index(name) for name in role_names if name in WORKING_ROLES), default=-1)


def sees_everything(role_names) -> bool:
    """§2: company leadership sees every complaint; everyone else their own part."""
    return rank(role_names) >= WORKING_ROLES.index(LEADERSHIP)
