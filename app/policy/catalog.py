"""What makes a category, refund type or staff profile valid."""

import re

from app.policy import deadlines
from app.policy.errors import ValidationFailed
from app.policy.i18n import _
from app.policy.vocabulary import POSITIONS

CATALOG_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")
NAME_MAX_LENGTH = 100


def validate_entry(code: str | None, name: str | None, hours: dict[str, int | None] | None = None) -> None:
    """A catalogue entry: code and name, and for a category its deadline hours (§3)."""
    errors = {}
    for field, value in (hours or {}).items():
        if not deadlines.check_hours(value):
            errors[field] = _(
                "Give whole hours from %(low)s to %(high)s, or leave empty for the default.",
                low=deadlines.MIN_HOURS,
                high=deadlines.MAX_HOURS,
            )
    if not code or not CATALOG_CODE.fullmatch(code):
        errors["code"] = _("Use lower-case letters, digits and underscores, such as bill_dispute.")
    if not name or not name.strip():
        errors["name"] = _("This field is required.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("At most %(count)s characters.", count=NAME_MAX_LENGTH)
    if errors:
        raise ValidationFailed(errors)


def validate_position(position: str | None) -> None:
    if position is not None and position not in POSITIONS:
        raise ValidationFailed({"position": _("Not a valid choice: use one of %(codes)s.", codes=", ".join(POSITIONS))})
