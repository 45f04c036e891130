"""The complaint actions of API.md, one door for the page's buttons and the REST API.

Both parse what was sent with the same marshmallow schema, then run the same
``app.workflow`` step and commit; a ``PolicyError`` rolls everything back.
"""

from flask import g
from marshmallow import Schema, ValidationError, fields

from app import clock, workflow
from app.extensions import db
from app.models import Complaint, Department
from app.policy import PolicyError, ValidationFailed
from app.views.schemas import RelatedId


class DispatchInput(Schema):
    department = RelatedId(Department, required=True, allow_none=False)
    note = fields.String(load_default=None, allow_none=True)


class RespondInput(Schema):
    text = fields.String(load_default=None, allow_none=True)
    accept = fields.Boolean(required=True)


class NoteInput(Schema):
    note = fields.String(load_default=None, allow_none=True)


class TextInput(Schema):
    text = fields.String(load_default=None, allow_none=True)


class CloseInput(Schema):
    callback = fields.String(required=True)
    note = fields.String(load_default=None, allow_none=True)


def _dispatch(complaint, user, values, now):
    workflow.dispatch(complaint, user, db.session.get(Department, values["department"]), values["note"], now)


def _respond(complaint, user, values, now):
    text = values["text"]
    try:
        workflow.respond(complaint, user, text, values["accept"], now)
    except ValidationFailed as error:
        # API.md: a returned dispatch "needs a reason", given in ``text``.
        raise ValidationFailed(
            {"text" if key == "reason" else key: value for key, value in error.errors.items()}
        ) from None


ACTIONS = {
    "dispatch": (DispatchInput(), _dispatch),
    "respond": (RespondInput(), _respond),
    "accept": (
        TextInput(),
        lambda complaint, user, values, now: workflow.accept_dispatch(complaint, user, values["text"], now),
    ),
    "reply": (TextInput(), lambda complaint, user, values, now: workflow.reply(complaint, user, values["text"], now)),
    "urge": (NoteInput(), lambda complaint, user, values, now: workflow.urge(complaint, user, values["note"], now)),
    "escalate": (
        NoteInput(),
        lambda complaint, user, values, now: workflow.escalate(complaint, user, values["note"], now),
    ),
    "resolve": (
        TextInput(),
        lambda complaint, user, values, now: workflow.resolve(complaint, user, values["text"], now),
    ),
    "close": (
        CloseInput(),
        lambda complaint, user, values, now: workflow.close(complaint, user, values["callback"], values["note"], now),
    ),
    "reopen": (NoteInput(), lambda complaint, user, values, now: workflow.reopen(complaint, user, values["note"], now)),
}


def parse(action: str, data: dict) -> dict:
    """The action's values, or ``ValidationFailed`` naming the bad fields."""
    schema, _run = ACTIONS[action]
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ValidationFailed(
            {field: " ".join(map(str, messages)) for field, messages in error.messages.items()}
        ) from None


def perform(complaint: Complaint, action: str, values: dict) -> None:
    """Run ``action`` as the current user and commit, or roll back and raise."""
    _schema, run = ACTIONS[action]
    try:
        run(complaint, g.user, values, clock.now())
        db.session.commit()
    except PolicyError:
        db.session.rollback()
        raise
