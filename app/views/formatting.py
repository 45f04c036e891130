"""Template helpers: local times, yuan amounts and code labels."""

from flask import g
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models.org import person_name
from app.policy import vocabulary
from app.policy.attachments import MAX_ATTACHMENT_BYTES
from app.policy.leadership import criterion_label

# The answer to a month that is not YYYY-MM (the bulletin, the small-refund monitoring).
NOT_A_MONTH = _("Give a month as YYYY-MM, such as 2026-10.")


def yuan(value) -> str:
    return "" if value is None else f"¥{value:,.2f}"


def register_template_helpers(app) -> None:
    app.jinja_env.filters["local_time"] = clock.format_local
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.filters["leadership_criterion"] = criterion_label
    app.jinja_env.globals["vocabulary"] = vocabulary
    app.jinja_env.globals["attachments_of"] = _attachments_of
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.globals["max_attachment_megabytes"] = MAX_ATTACHMENT_BYTES // (1024 * 1024)


def _attachments_of(kind: str, owner_id: int) -> list:
    from app import attachments

    return attachments.listing(kind, owner_id)


def file_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size, 1) / 1024:.0f} KB" if size >= 1024 else f"{size} B"


def yes_no(value) -> str:
    from flask_babel import gettext

    return gettext("Yes") if value else gettext("No")


def people(usernames) -> str:
    """Sign-in names (as alerts keep them) as the people's names, read once per request."""
    usernames = list(usernames or [])
    known = g.setdefault("person_names", {})
    missing = [name for name in usernames if name not in known]
    if missing:
        for user in db.session.scalars(select(User).where(User.username.in_(missing))):
            known[user.username] = person_name(user)
    return "、".join(known.get(name, name) for name in usernames)


def or_blank(value) -> str:
    """A related row or value, or nothing (never the word None)."""
    return "" if value is None else str(value)
