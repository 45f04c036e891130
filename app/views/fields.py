"""Form fields that speak the policy's types: local times, yuan amounts, coded choices."""

import re

from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
from flask_babel import lazy_gettext as _
from wtforms import Field, SelectField, StringField

from app import clock
from app.policy.complaints import parse_amount


class LocalDateTimeWidget(BS3TextFieldWidget):
    input_type = "datetime-local"


class LocalDateTimeField(Field):
    """A time typed in local time (APP_TIMEZONE), kept as an aware datetime."""

    widget = LocalDateTimeWidget()

    @staticmethod
    def _format(value) -> str:
        local = clock.to_local(value)
        return local.strftime("%Y-%m-%dT%H:%M") if local else ""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self._format(self.data)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        if self.object_data is not None and text == self._format(self.object_data):
            # Unchanged: keep the seconds the minute-wide input cannot show.
            self.data = self.object_data
            return
        try:
            self.data = clock.parse_time(text)
        except ValueError:
            self.data = None
            raise ValueError(_("Give a date and time such as 2026-11-28 09:30.")) from None


class AmountField(Field):
    """Yuan with at most two decimal places (never a float)."""

    widget = BS3TextFieldWidget()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.2f}"

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        self.data = None
        self.data = parse_amount(text)


def choice_field(title, vocabulary: dict, *, required: bool, description="") -> SelectField:
    """A select of a vocabulary's codes with their translated labels."""
    choices = list(vocabulary.items())  # labels stay lazy: shown in the reader's language
    if not required:
        choices.insert(0, ("", "—"))
    return SelectField(
        title,
        choices=choices,
        description=description,
        filters=[lambda value: value or None],
        validate_choice=False,
        widget=Select2Widget(),
    )


class ShownField(Field):
    """Shown in the form but never taken from it: what the system sets, such as the receiver
    (首问负责制: set at creation, never changed). ``describe(value)`` gives the text; ``value``
    is None on a new row."""

    widget = BS3TextFieldWidget()

    def __init__(self, label, describe, **kwargs):
        render_kw = {"readonly": True, "tabindex": "-1", **kwargs.pop("render_kw", {})}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.describe = describe

    def process_formdata(self, valuelist):
        pass

    def populate_obj(self, obj, name):
        pass

    def _value(self):
        return self.describe(self.object_data)


class CheckedTextField(StringField):
    """Text checked as it is typed (forms.js) against the policy's own pattern; the policy checks
    it again on save."""

    widget = BS3TextFieldWidget()

    def __init__(self, label, pattern: re.Pattern, message, input_mode: str = "text", **kwargs):
        render_kw = {
            "data-pattern": pattern.pattern,
            "data-message": message,
            "inputmode": input_mode,
            **kwargs.pop("render_kw", {}),
        }
        super().__init__(label, render_kw=render_kw, **kwargs)


class NumberWidget(BS3TextFieldWidget):
    input_type = "number"
