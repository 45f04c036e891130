"""Who may decide a refund or waiver (SPEC.md §2.4–2.5).

Amounts are ``Decimal`` with two places. Boundaries are inclusive: 100.00 is
frontline, 100.01 room manager; 500.00 room, 500.01 centre; 2000.00 centre,
2000.01 leadership.
"""

from decimal import Decimal

from app.policy import roles

# §2.5: 一线投诉处理人员 may refund up to 100 yuan per complaint, only for 智能网 customers
# and frontline-eligible refund types.
FRONTLINE_LIMIT = Decimal("100.00")
# §2.5: 室经理 up to 500 yuan.
ROOM_MANAGER_LIMIT = Decimal("500.00")
# §2.5: 中心经理 / 区域分公司经理 up to 2000 yuan; above that, 公司领导.
CENTER_MANAGER_LIMIT = Decimal("2000.00")

FRONTLINE = "frontline"
ROOM_MANAGER = "room_manager"
CENTER_MANAGER = "center_manager"
LEADERSHIP = "leadership"
# Lowest first: a level decides everything at or below it.
LEVELS = (FRONTLINE, ROOM_MANAGER, CENTER_MANAGER, LEADERSHIP)

ROLE_LEVELS = {
    roles.FRONTLINE: FRONTLINE,
    roles.ROOM_MANAGER: ROOM_MANAGER,
    roles.CENTER_MANAGER: CENTER_MANAGER,
    roles.LEADERSHIP: LEADERSHIP,
}


def required_level(total: Decimal, *, customer_prepaid: bool, frontline_eligible: bool) -> str:
    """The lowest level that may decide a refund bringing the complaint's total to ``total``."""
    if total <= FRONTLINE_LIMIT and customer_prepaid and frontline_eligible:
        return FRONTLINE
    if total <= ROOM_MANAGER_LIMIT:
        return ROOM_MANAGER
    if total <= CENTER_MANAGER_LIMIT:
        return CENTER_MANAGER
    return LEADERSHIP


def authority_of(role_names) -> str | None:
    """The highest level a user's roles give them, or None (Admin, no role)."""
    held = [LEVELS.index(ROLE_LEVELS[name]) for name in role_names if name in ROLE_LEVELS]
    return LEVELS[max(held)] if held else None


def covers(authority: str | None, level: str) -> bool:
    """Does ``authority`` reach ``level``? Higher roles hold the rights of lower ones."""
    return authority is not None and LEVELS.index(authority) >= LEVELS.index(level)


def levels_covered_by(authority: str | None) -> tuple[str, ...]:
    if authority is None:
        return ()
    return LEVELS[: LEVELS.index(authority) + 1]
