"""Template helpers: local times, yuan amounts and code labels."""

from app import clock
from app.policy import vocabulary


def yuan(value) -> str:
    return "" if value is None else f"¥{value:,.2f}"


def register_template_helpers(app) -> None:
    app.jinja_env.filters["local_time"] = clock.format_local
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.globals["vocabulary"] = vocabulary


def yes_no(value) -> str:
    from flask_babel import gettext

    return gettext("Yes") if value else gettext("No")


def or_blank(value) -> str:
    """A related row or value, or nothing (never the word None)."""
    return "" if value is None else str(value)
