"""Commendations and criticisms (SPEC.md §6): what a valid one is, and its one decision."""

from app.policy.errors import Conflict, NotAllowed, ValidationFailed
from app.policy.i18n import _
from app.policy.vocabulary import APPRAISAL_KINDS

REASON_MAX_LENGTH = 2000


def validate(kind: str | None, department_id: int | None, user_id: int | None, reason: str | None) -> None:
    errors = {}
    if kind not in APPRAISAL_KINDS:
        errors["kind"] = _("Not a valid choice: use one of %(codes)s.", codes=", ".join(APPRAISAL_KINDS))
    if department_id is None and user_id is None:
        errors["department"] = _("Name the department or the person.")
    if not (reason or "").strip():
        errors["reason"] = _("This field is required.")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("At most %(count)s characters.", count=REASON_MAX_LENGTH)
    if errors:
        raise ValidationFailed(errors)


def check_decision(status: str, publish: bool) -> str:
    """A draft is published or discarded, once."""
    if status != "draft":
        raise Conflict(_("This has already been published or discarded."))
    return "published" if publish else "discarded"


def check_decider(is_manager: bool, concerns_them: bool) -> None:
    """(decided) A manager (room manager or above) of the side the matter concerns decides:
    for a complaint, its receiving side, which suffered the late reply; else the department's."""
    if not (is_manager and concerns_them):
        raise NotAllowed(_("Only a manager of the receiving side or of the department may decide this."))
