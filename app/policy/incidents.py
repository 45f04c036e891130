"""An incident's life (SPEC.md §3.5): open → reported → replied → resolved."""

from app.policy import roles, texts
from app.policy.errors import Conflict, NotAllowed, ValidationFailed
from app.policy.i18n import _

# (action, from) → to
TRANSITIONS = {
    ("report", "open"): "reported",
    ("report", "reported"): "reported",  # reported again, to another department
    ("first_reply", "reported"): "replied",
    ("resolve", "reported"): "resolved",
    ("resolve", "replied"): "resolved",
}
# Who coordinates incidents besides managers: the positions that receive the rules' alerts.
COORDINATING_POSITIONS = ("team_leader", "marketing_manager")


def is_coordinator(role_names, position: str | None) -> bool:
    """Room managers and above (综援室, the service management groups), team leaders and hall managers."""
    return roles.rank(role_names) >= roles.WORKING_ROLES.index(roles.ROOM_MANAGER) or position in COORDINATING_POSITIONS


def next_status(action: str, status: str, *, coordinator: bool, responsible: bool) -> str:
    if action == "report" and not coordinator:
        raise NotAllowed(_("Only a coordinator (a manager, team leader or hall manager) reports an incident."))
    if action in ("first_reply", "resolve") and not (responsible or coordinator):
        raise NotAllowed(_("Only the responsible department or a coordinator may do this."))
    try:
        return TRANSITIONS[(action, status)]
    except KeyError:
        raise Conflict(
            _("An incident that is %(status)s cannot be %(action)s.", status=status, action=action)
        ) from None


def require(**values) -> None:
    missing = {
        field: _("This field is required.")
        for field, value in values.items()
        if not value or (isinstance(value, str) and not value.strip())
    }
    if missing:
        raise ValidationFailed(missing)
    texts.check_lengths({field: (value, texts.TEXT_MAX_LENGTH) for field, value in values.items()})
