"""Temporary complaint handling groups (§5): convene, send the meeting notice, publish the minutes."""

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _

from app import clock, groups
from app.extensions import db
from app.models import Complaint, HandlingGroup, Incident
from app.policy import PolicyError, ValidationFailed
from app.security import HANDLING_GROUP, RESOURCE_PERMISSIONS
from app.views.filters import VisibleRows
from app.views.mixins import flash_policy_error
from app.views.related import RelatedRowsViewMixin


class HandlingGroupView(RelatedRowsViewMixin, ModelView):
    route_base = "/handling-groups"
    datamodel = SQLAInterface(HandlingGroup)
    class_permission_name = HANDLING_GROUP
    base_permissions = [*RESOURCE_PERMISSIONS[HANDLING_GROUP]]
    base_filters = [["id", VisibleRows, None]]
    base_order = ("id", "desc")
    list_title = _("Temporary handling groups")
    label_columns = {
        "id": _("ID"),
        "complaint": _("Complaint"),
        "incident": _("Incident"),
        "lead_department": _("Lead department"),
        "meeting_at": _("Meeting at"),
        "created_on": _("Created"),
        "assessment": _("Front-line pressure and preliminary severity assessment"),
        "members": _("Members"),
        "minutes": _("Minutes"),
    }
    list_columns = ["id", "complaint", "incident", "lead_department", "meeting_at", "created_on"]
    search_columns = ["complaint", "incident", "lead_department", "meeting_at", "created_on"]
    formatters_columns = {"meeting_at": clock.format_local, "created_on": clock.format_local}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        group = self.datamodel.get(pk, self._base_filters) if str(pk).isdigit() else None
        if group is None:
            abort(404)
        return self.render_template("groups/show.html", group=group, now=clock.now())

    @expose("/convene", methods=["POST"])
    @has_access
    @permission_name("act")
    def convene(self):
        complaint = (
            db.session.get(Complaint, int(request.form["complaint"]))
            if request.form.get("complaint", "").isdigit()
            else None
        )
        incident = (
            db.session.get(Incident, int(request.form["incident"]))
            if request.form.get("incident", "").isdigit()
            else None
        )
        if complaint is None and incident is None:
            abort(404)
        group = groups.convene(
            g.user, clock.now(), complaint=complaint, incident=incident, assessment=request.form.get("assessment")
        )
        db.session.commit()
        return redirect(url_for("HandlingGroupView.show", pk=group.id))

    @expose("/act/<int:pk>/<action>", methods=["POST"])
    @has_access
    @permission_name("act")
    def act(self, pk, action):
        group = self.datamodel.get(pk, self._base_filters)
        if group is None or action not in ("notice", "minutes"):
            abort(404)
        now = clock.now()
        try:
            if action == "notice":
                text = request.form.get("meeting_at", "").strip()
                try:
                    meeting_at = clock.parse_time(text) if text else None
                except ValueError:
                    raise ValidationFailed(
                        {"meeting_at": _("Give a date and time such as 2026-11-28 09:30.")}
                    ) from None
                groups.send_notice(
                    group, meeting_at, request.form.get("place"), bool(request.form.get("after_the_fact")), now
                )
            else:
                groups.publish_minutes(group, request.form.get("minutes"), now)
            db.session.commit()
        except PolicyError as error:
            db.session.rollback()
            flash_policy_error(error)
        return redirect(url_for("HandlingGroupView.show", pk=pk))
