"""Template helpers: local times, yuan amounts and code labels."""

from app import clock
from app.policy import vocabulary


def yuan(value) -> str:
    return "" if value is None else f"¥{value:,.2f}"


def register_template_helpers(app) -> None:
    app.jinja_env.filters["local_time"] = clock.format_local
    app.jinja_env.filters["yuan"] = yuan
    app.jinja_env.globals["vocabulary"] = vocabulary
