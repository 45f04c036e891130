"""Marshmallow fields for the API's types (API.md): amounts, times, related ids."""

from decimal import Decimal

from flask_babel import lazy_gettext as _
from marshmallow import ValidationError, fields

from app import clock
from app.policy.complaints import parse_amount


class Amount(fields.Field):
    """A decimal string with two places: ``"100.00"``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"type": "string", "example": "100.00"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError(str(_('Give the amount as a decimal string, such as "100.00".')))
        try:
            return parse_amount(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class Time(fields.Field):
    """ISO 8601 with a UTC offset; a time without one is APP_TIMEZONE local time."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"type": "string", "format": "date-time"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else clock.to_local(value).isoformat()

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(str(_("Give a time in ISO 8601, such as 2026-11-28T09:30:00+08:00.")))
        try:
            return clock.parse_time(value)
        except ValueError:
            raise ValidationError(str(_("Give a time in ISO 8601, such as 2026-11-28T09:30:00+08:00."))) from None


class Code(fields.String):
    """A code of a vocabulary, or null; an empty string counts as null."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip() or None


class RelatedId(fields.Integer):
    """A related row given and returned by its id; the row must exist."""

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("allow_none", True)
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        from app.extensions import db
        from app.views.mixins import is_id

        number = super()._deserialize(value, attr, data, **kwargs)
        if not is_id(number) or not self._exists(db.session, number):
            raise ValidationError(str(_("No such record: %(id)s.", id=number)))
        return number

    def _exists(self, session, number: int) -> bool:
        from app import reference
        from app.models import Category, Department

        # The departments and categories: the process's copy (app.reference), no statement.
        if self.model is Category:
            return reference.category(session, number) is not None
        if self.model is Department:
            return reference.department_kind(session, number) is not None
        return session.get(self.model, number) is not None
