"""Alerts for each recipient (the ``alert`` resource) and commendations and criticisms (§6)."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _
from markupsafe import Markup
from marshmallow import Schema, fields

from app import appraisals, clock
from app.extensions import db
from app.models import Alert, Appraisal
from app.models.org import person_name
from app.policy import PolicyError
from app.policy.leadership import criterion_label
from app.policy.vocabulary import ALERT_RULES, APPRAISAL_KINDS, APPRAISAL_STATUSES, label
from app.security import ALERT, API_METHOD_PERMISSIONS, APPRAISAL, RESOURCE_PERMISSIONS
from app.views.fields import choice_field
from app.views.filters import VisibleRows
from app.views.formatting import people
from app.views.lists import CappedCountInterface, complaint_link
from app.views.mixins import PolicyFormMixin
from app.views.related import RelatedInfoApiMixin, RelatedRowsViewMixin
from app.views.schemas import Time


def incident_link(incident_id: int | None) -> Markup | str:
    """An incident as a link to its page (its complaints, its report, its replies)."""
    if incident_id is None:
        return ""
    text = _("Incident #%(id)s", id=incident_id)
    return Markup('<a class="incident-link" href="{}">{}</a>').format(
        url_for("IncidentView.show", pk=incident_id), text
    )


class AlertView(RelatedRowsViewMixin, ModelView):
    """My alerts (预警): what fired, about which complaint or incident."""

    route_base = "/alerts"
    datamodel = CappedCountInterface(Alert)
    class_permission_name = ALERT
    base_permissions = [*RESOURCE_PERMISSIONS[ALERT]]
    base_filters = [["id", VisibleRows, None]]
    base_order = ("id", "desc")
    list_title = _("Alerts")
    show_title = _("Alert")
    label_columns = {
        "created_on": _("Time"),
        "rule": _("Rule"),
        "complaint": _("Complaint"),
        "incident_id": _("Incident"),
        "related_incident_id": _("Incident"),
        "criterion": _("Criterion"),
        "recipients": _("Recipients"),
    }
    list_columns = ["created_on", "rule", "complaint", "related_incident_id", "criterion", "recipients"]
    show_columns = list_columns
    search_columns = ["rule", "created_on"]
    formatters_columns = {
        "created_on": clock.format_local,
        "rule": lambda code: label(ALERT_RULES, code),
        "recipients": people,
        "criterion": criterion_label,
        "incident_id": lambda number: number or "",
        "complaint": complaint_link,
        "related_incident_id": incident_link,
    }


class AlertOutput(Schema):
    id = fields.Integer()
    rule = fields.String()
    complaint = fields.Integer(attribute="complaint_id")
    incident = fields.Integer(attribute="incident_id")
    criterion = fields.Integer(allow_none=True)
    recipients = fields.List(fields.String())
    created_on = Time()


class AlertApi(RelatedInfoApiMixin, ModelRestApi):
    resource_name = "alert"
    datamodel = CappedCountInterface(Alert)
    class_permission_name = ALERT
    base_permissions = [*RESOURCE_PERMISSIONS[ALERT]]
    method_permission_name = API_METHOD_PERMISSIONS
    include_route_methods = {"get", "get_list", "info"}
    base_filters = [["id", VisibleRows, None]]
    base_order = ("id", "desc")
    allow_browser_login = True
    list_model_schema = show_model_schema = AlertOutput()
    list_columns = ["id", "rule", "complaint_id", "incident_id", "criterion", "created_on"]
    show_columns = list_columns
    order_columns = ["id", "created_on"]
    search_columns = ["rule", "complaint", "incident_id", "criterion", "created_on"]


class AppraisalPolicy:
    def prepare(self, item: Appraisal, new: bool) -> None:
        if new:
            item.created_by = g.user
            item.created_on = clock.now()


class AppraisalView(AppraisalPolicy, RelatedRowsViewMixin, PolicyFormMixin, ModelView):
    """Commendations and criticisms: drafts are published (the department is told) or discarded."""

    route_base = "/appraisals"
    datamodel = SQLAInterface(Appraisal)
    class_permission_name = APPRAISAL
    base_permissions = [*RESOURCE_PERMISSIONS[APPRAISAL]]
    base_filters = [["id", VisibleRows, None]]
    base_order = ("id", "desc")
    list_title = _("Commendations and criticisms")
    show_title = _("Commendation or criticism")
    add_title = _("Commend or criticise")
    label_columns = {
        "kind": _("Kind"),
        "status": _("Status"),
        "department": _("Department"),
        "user": _("Person"),
        "reason": _("Reason"),
        "complaint": _("Complaint"),
        "created_on": _("Created"),
        "created_by": _("Created by"),
        "decided_by": _("Decided by"),
        "decided_at": _("Decided at"),
        "id": _("Decide"),
    }
    list_columns = ["id", "kind", "status", "department", "user", "reason", "complaint", "created_on"]
    show_columns = [
        "kind",
        "status",
        "department",
        "user",
        "reason",
        "complaint",
        "created_on",
        "created_by",
        "decided_by",
        "decided_at",
    ]
    add_columns = ["kind", "department", "user", "reason"]
    add_form_extra_fields = {"kind": choice_field(_("Kind"), APPRAISAL_KINDS, required=True)}
    search_columns = ["kind", "status", "department", "created_on"]
    formatters_columns = {
        "kind": lambda code: label(APPRAISAL_KINDS, code),
        "status": lambda code: label(APPRAISAL_STATUSES, code),
        "created_on": clock.format_local,
        "decided_at": clock.format_local,
        "id": lambda pk: appraisal_buttons(pk),
        "complaint": complaint_link,
        # A criticism of a department names no person; one not yet decided, no decider.
        "department": lambda department: department.name if department is not None else "",
        "user": person_name,
        "created_by": person_name,
        "decided_by": person_name,
    }

    @expose("/decide/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("decide")
    def decide(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        try:
            appraisals.decide(item, g.user, request.form.get("decision") == "publish", clock.now())
            db.session.commit()
        except PolicyError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            flash(str(label(APPRAISAL_STATUSES, item.status)), "success")
        return redirect(url_for("AppraisalView.list"))


def appraisal_buttons(pk):
    from flask_wtf.csrf import generate_csrf
    from markupsafe import Markup

    item = db.session.get(Appraisal, pk)
    if item is not None and item.status == "published":
        link = '<a class="btn btn-xs btn-default" href="{href}"><i class="fa fa-file-pdf-o"></i> {text}</a>'
        return Markup(link).format(href=url_for("DocumentView.pdf", kind="appraisal", pk=pk), text=_("Notice (PDF)"))
    if item is None or item.status != "draft":
        return ""
    form = (
        '<form method="post" action="{action}" style="display:inline">'
        '<input type="hidden" name="csrf_token" value="{token}">'
        '<button class="btn btn-xs btn-success" name="decision" value="publish">{publish}</button> '
        '<button class="btn btn-xs btn-default" name="decision" value="discard">{discard}</button></form>'
    )
    return Markup(form).format(
        action=url_for("AppraisalView.decide", pk=pk),
        token=generate_csrf(),
        publish=_("Publish"),
        discard=_("Discard"),
    )
