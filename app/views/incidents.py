"""Incidents (the ``incident`` resource): same-content waves, their 1-hour clock and volume."""

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.api import protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select

from app import clock, incidents
from app.extensions import db
from app.models import Complaint, Department, Incident
from app.policy import PolicyError, ValidationFailed
from app.policy.vocabulary import ALERT_RULES, INCIDENT_STATUSES, label
from app.security import API_METHOD_PERMISSIONS, INCIDENT, RESOURCE_PERMISSIONS
from app.views.filters import VisibleRows
from app.views.formatting import or_blank
from app.views.mixins import PolicyApiMixin, flash_policy_error
from app.views.related import RelatedChoicesMixin, RelatedInfoApiMixin, RelatedRowsViewMixin
from app.views.schemas import RelatedId, Time

ACTIONS = {
    "report": lambda incident, user, values, now: incidents.report(
        incident, user, db.session.get(Department, values["department"]) if values.get("department") else None, now
    ),
    "first_reply": lambda incident, user, values, now: incidents.first_reply(incident, user, values.get("text"), now),
    "resolve": lambda incident, user, values, now: incidents.resolve(incident, user, values.get("text"), now),
}


class ReportInput(Schema):
    department = RelatedId(Department, required=True, allow_none=False)


class TextInput(Schema):
    text = fields.String(load_default=None, allow_none=True)


INPUTS = {"report": ReportInput(), "first_reply": TextInput(), "resolve": TextInput()}


def perform(incident: Incident, action: str, data: dict) -> None:
    try:
        values = INPUTS[action].load(data)
    except ValidationError as error:
        raise ValidationFailed(
            {field: " ".join(map(str, messages)) for field, messages in error.messages.items()}
        ) from None
    try:
        ACTIONS[action](incident, g.user, values, clock.now())
        db.session.commit()
    except PolicyError:
        db.session.rollback()
        raise


class IncidentView(RelatedChoicesMixin, RelatedRowsViewMixin, ModelView):
    route_base = "/incidents"
    datamodel = SQLAInterface(Incident)
    class_permission_name = INCIDENT
    base_permissions = [*RESOURCE_PERMISSIONS[INCIDENT]]
    base_filters = [["id", VisibleRows, None]]
    base_order = ("id", "desc")
    list_title = _("Incidents")
    label_columns = {
        "id": _("ID"),
        "topic": _("Topic"),
        "rule": _("Rule"),
        "status": _("Status"),
        "volume": _("Volume"),
        "discovered_at": _("Discovered at"),
        "responsible_department": _("Responsible department"),
        "first_reply_due": _("Preliminary reply due"),
    }
    list_columns = [
        "id",
        "topic",
        "rule",
        "status",
        "volume",
        "discovered_at",
        "responsible_department",
        "first_reply_due",
    ]
    search_columns = ["status", "rule", "discovered_at"]
    formatters_columns = {
        "rule": lambda code: label(ALERT_RULES, code),
        "status": lambda code: label(INCIDENT_STATUSES, code),
        "discovered_at": clock.format_local,
        "first_reply_due": clock.format_local,
        "responsible_department": or_blank,
    }

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        incident = self.datamodel.get(pk, self._base_filters) if str(pk).isdigit() else None
        if incident is None:
            abort(404)
        complaints = db.session.scalars(
            select(Complaint).where(Complaint.incident_id == incident.id).order_by(Complaint.received_at).limit(200)
        ).all()
        departments = db.session.scalars(select(Department).order_by(Department.code)).all()
        return self.render_template(
            "incidents/show.html", incident=incident, complaints=complaints, departments=departments, now=clock.now()
        )

    @expose("/act/<int:pk>/<action>", methods=["POST"])
    @has_access
    @permission_name("act")
    def act(self, pk, action):
        incident = self.datamodel.get(pk, self._base_filters)
        if incident is None or action not in ACTIONS:
            abort(404)
        data = {key: value for key, value in request.form.items() if key != "csrf_token" and value != ""}
        if data.get("department", "").isdigit():
            data["department"] = int(data["department"])
        try:
            perform(incident, action, data)
        except PolicyError as error:
            flash_policy_error(error)
        return redirect(url_for("IncidentView.show", pk=pk))


class IncidentOutput(Schema):
    id = fields.Integer()
    signature = fields.String()
    rule = fields.String()
    discovered_at = Time()
    responsible_department = fields.Integer(attribute="responsible_department_id")
    reported_at = Time()
    first_reply_due = Time()
    first_reply_at = Time()
    resolved_at = Time()
    volume = fields.Integer()
    status = fields.String()
    leadership_criteria = fields.Function(lambda incident: incident.leadership_criteria_list)
    complaints = fields.Function(
        lambda incident: list(
            db.session.scalars(select(Complaint.id).where(Complaint.incident_id == incident.id).order_by(Complaint.id))
        )
    )


class IncidentApi(RelatedInfoApiMixin, PolicyApiMixin, ModelRestApi):
    resource_name = "incident"
    datamodel = SQLAInterface(Incident)
    class_permission_name = INCIDENT
    base_permissions = [*RESOURCE_PERMISSIONS[INCIDENT]]
    method_permission_name = {**API_METHOD_PERMISSIONS, "report": "act", "first_reply": "act", "resolve": "act"}
    include_route_methods = {"get", "get_list", "info", "report", "first_reply", "resolve"}
    base_filters = [["id", VisibleRows, None]]
    base_order = ("id", "desc")
    allow_browser_login = True
    list_model_schema = show_model_schema = output_schema = IncidentOutput()
    list_columns = ["id", "signature", "rule", "status", "volume", "discovered_at"]
    show_columns = list_columns
    order_columns = ["id", "discovered_at", "volume"]
    search_columns = ["signature", "rule", "status", "responsible_department", "discovered_at"]

    def _act(self, pk, action):
        return self.act_on(pk, lambda incident, body: perform(incident, action, body))

    @expose("/<int:pk>/report", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def report(self, pk):
        """Report to the responsible department: ``{"department": id}``; the 1-hour clock starts."""
        return self._act(pk, "report")

    @expose("/<int:pk>/first_reply", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def first_reply(self, pk):
        """The responsible department's preliminary reply: ``{"text": str}``."""
        return self._act(pk, "first_reply")

    @expose("/<int:pk>/resolve", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def resolve(self, pk):
        """Resolve the incident: ``{"text": str}``; the final result notice goes out."""
        return self._act(pk, "resolve")
