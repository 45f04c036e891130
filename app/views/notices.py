"""Notices (§7): the outbox (``outbox`` resource, read-only) and the email templates Admin edits."""

from flask import flash, redirect
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from markupsafe import Markup
from marshmallow import Schema, fields
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.widgets import TextArea

from app import clock, notices
from app.models import EmailTemplate, Outbox
from app.policy.vocabulary import NOTICE_STATUSES, NOTICE_TEMPLATES, label
from app.security import API_METHOD_PERMISSIONS, EMAIL_TEMPLATE, OUTBOX, RESOURCE_PERMISSIONS
from app.views.lists import CappedCountInterface
from app.views.mixins import PolicyFormMixin
from app.views.related import RelatedInfoApiMixin, RelatedRowsViewMixin
from app.views.schemas import Time


def _preformatted(text: str | None) -> Markup:
    return Markup('<pre style="white-space: pre-wrap">{}</pre>').format(text or "")


def _written_when_sent(formatter=str):
    """A notice's subject or body, rendered by the worker: until then, say so."""

    def format_text(text: str | None):
        return _("(written when sent)") if text is None else formatter(text)

    return format_text


def _template_name(code: str) -> str:
    """A kind of notice by its name alone: the code is for the API and the mail templates' files."""
    return label(NOTICE_TEMPLATES, code)


class LongTextArea(TextArea):
    """A textarea tall enough to edit an email body."""

    def __call__(self, field, **kwargs):
        return super().__call__(field, **{"class": "form-control", "rows": 18, **kwargs})


def _blank_if_none(value):
    return "" if value is None else value


def _time(value) -> str:
    return clock.format_local(value, "%Y-%m-%d %H:%M:%S")


class OutboxView(RelatedRowsViewMixin, ModelView):
    """Every notice with its delivery: Admin resends what failed; leadership reads."""

    route_base = "/outbox"
    datamodel = CappedCountInterface(Outbox)
    class_permission_name = OUTBOX
    base_permissions = [*RESOURCE_PERMISSIONS[OUTBOX]]
    list_title = _("Outbox")
    show_title = _("Notice")
    label_columns = {
        "template": _("Template"),
        "recipients": _("Recipients"),
        "subject": _("Subject"),
        "body": _("Body"),
        "key": _("Key"),
        "complaint": _("Complaint"),
        "incident_id": _("Incident"),
        "status": _("Status"),
        "attempts": _("Attempts"),
        "last_error": _("Last error"),
        "next_attempt_at": _("Next attempt"),
        "attempted_at": _("Last attempt"),
        "created_on": _("Created"),
        "sent_on": _("Sent at"),
    }
    list_columns = ["created_on", "template", "subject", "recipients", "status", "attempts", "sent_on"]
    show_fieldsets = [
        (_("Notice"), {"fields": ["template", "subject", "recipients", "body", "key", "complaint", "incident_id"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "last_error",
                    "next_attempt_at",
                    "attempted_at",
                    "created_on",
                    "sent_on",
                ]
            },
        ),
    ]
    # Not by complaint: its filter would list every complaint; the API filters by complaint id.
    search_columns = ["template", "status", "subject", "key", "incident_id", "created_on", "sent_on"]
    order_columns = ["created_on", "template", "status", "attempts", "sent_on"]
    base_order = ("id", "desc")
    formatters_columns = {
        "template": _template_name,
        "status": lambda code: label(NOTICE_STATUSES, code),
        "recipients": lambda addresses: ", ".join(addresses or []),
        "subject": _written_when_sent(),
        "body": _written_when_sent(_preformatted),
        "last_error": _preformatted,
        "created_on": _time,
        "sent_on": _time,
        "attempted_at": _time,
        "next_attempt_at": _time,
        "complaint": _blank_if_none,
        "incident_id": _blank_if_none,
    }

    @action(
        "resend",
        _("Send again"),
        _("Send the selected failed notices again?"),
        "fa-repeat",
    )
    def resend(self, items):
        items = items if isinstance(items, list) else [items]
        count = notices.resend(item.id for item in items)
        if count:
            flash(str(_("%(count)s notice(s) queued to be sent again.", count=count)), "success")
        else:
            flash(str(_("Only a failed or stored notice can be sent again.")), "warning")
        self.update_redirect()
        return redirect(self.get_redirect())


class OutboxOutput(Schema):
    id = fields.Integer()
    template = fields.String()
    recipients = fields.List(fields.String())
    subject = fields.String(allow_none=True)  # null until a worker writes the notice
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    key = fields.String()
    incident = fields.Integer(attribute="incident_id", allow_none=True)
    complaint = fields.Integer(attribute="complaint_id", allow_none=True)
    created_on = Time()
    sent_on = Time()


class OutboxApi(RelatedInfoApiMixin, ModelRestApi):
    resource_name = "outbox"
    datamodel = CappedCountInterface(Outbox)
    class_permission_name = OUTBOX
    base_permissions = [*RESOURCE_PERMISSIONS[OUTBOX]]
    method_permission_name = API_METHOD_PERMISSIONS
    include_route_methods = {"get", "get_list", "info"}
    allow_browser_login = True
    list_model_schema = show_model_schema = OutboxOutput()
    list_columns = [
        "id",
        "template",
        "recipients",
        "subject",
        "status",
        "attempts",
        "last_error",
        "key",
        "incident_id",
        "complaint_id",
        "created_on",
        "sent_on",
    ]
    show_columns = list_columns
    order_columns = ["id", "created_on", "sent_on", "status", "attempts"]
    search_columns = ["template", "status", "key", "complaint", "incident_id", "created_on", "sent_on"]
    base_order = ("id", "desc")


class EmailTemplateView(PolicyFormMixin, ModelView):
    """The subject and body of each kind of notice, in Chinese by default (Admin edits)."""

    route_base = "/email-templates"
    datamodel = SQLAInterface(EmailTemplate)
    class_permission_name = EMAIL_TEMPLATE
    base_permissions = [*RESOURCE_PERMISSIONS[EMAIL_TEMPLATE]]
    list_title = _("Email templates")
    show_title = _("Email template")
    edit_title = _("Edit email template")
    label_columns = {
        "code": _("Notice"),
        "subject": _("Subject"),
        "body": _("Body"),
        "changed_on": _("Changed"),
    }
    description_columns = {"subject": _("One line. Jinja syntax, e.g. {{ complaint.number }}.")}
    list_columns = ["code", "subject", "changed_on"]
    show_columns = ["code", "subject", "body", "changed_on"]
    edit_columns = ["subject", "body"]
    base_order = ("id", "asc")
    formatters_columns = {"code": _template_name, "body": _preformatted, "changed_on": _time}
    edit_form_extra_fields = {
        "body": TextAreaField(
            _("Body"),
            description=_(
                "Jinja syntax, run in a sandbox: {{ complaint.topic }}, {% if note %}…{% endif %}. The first "
                "comment lists the values this notice gives. If the template fails, the shipped one is used."
            ),
            widget=LongTextArea(),
            validators=[InputRequired()],
        ),
    }
