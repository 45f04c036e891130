"""The organisation: departments (``department`` resource), staff and teams."""

from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _
from marshmallow import Schema, fields

from app.models import Department, StaffProfile, Team, TeamMember
from app.policy.vocabulary import DEPARTMENT_KINDS, POSITIONS, label
from app.security import API_METHOD_PERMISSIONS, DEPARTMENT, RESOURCE_PERMISSIONS, STAFF, TEAM
from app.views.fields import choice_field
from app.views.formatting import or_blank, yes_no
from app.views.mixins import PolicyApiMixin, PolicyFormMixin
from app.views.related import RelatedInfoApiMixin
from app.views.schemas import Code, RelatedId

DEPARTMENT_LABELS = {
    "code": _("Code"),
    "name": _("Name"),
    "kind": _("Kind"),
    "parent": _("Parent department"),
    "email": _("Mailbox"),
    "manager": _("Manager"),
    "supervising_leader": _("Supervising company leader"),
}
DEPARTMENT_FIELDS = ["code", "name", "kind", "parent", "email", "manager", "supervising_leader"]


class DepartmentView(PolicyFormMixin, ModelView):
    route_base = "/departments"
    datamodel = SQLAInterface(Department)
    class_permission_name = DEPARTMENT
    base_permissions = [*RESOURCE_PERMISSIONS[DEPARTMENT]]
    list_title = _("Departments")
    show_title = _("Department")
    add_title = _("Add department")
    edit_title = _("Edit department")
    label_columns = DEPARTMENT_LABELS
    list_columns = ["code", "name", "kind", "parent", "email", "manager"]
    show_columns = DEPARTMENT_FIELDS
    add_columns = DEPARTMENT_FIELDS
    edit_columns = DEPARTMENT_FIELDS
    search_columns = ["code", "name", "kind", "parent"]
    order_columns = ["code", "name", "kind"]
    base_order = ("code", "asc")
    formatters_columns = {
        "kind": lambda code: label(DEPARTMENT_KINDS, code),
        "parent": or_blank,
        "manager": or_blank,
        "supervising_leader": or_blank,
        "email": or_blank,
    }
    add_form_extra_fields = {"kind": choice_field(DEPARTMENT_LABELS["kind"], DEPARTMENT_KINDS, required=True)}
    edit_form_extra_fields = add_form_extra_fields


class DepartmentInput(Schema):
    code = fields.String()
    name = fields.String()
    kind = Code()
    parent_id = RelatedId(Department, data_key="parent")
    email = fields.String(allow_none=True)
    manager_id = RelatedId(User, data_key="manager")
    supervising_leader_id = RelatedId(User, data_key="supervising_leader")


class DepartmentOutput(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    parent = fields.Integer(attribute="parent_id")
    email = fields.String(allow_none=True)
    manager = fields.Integer(attribute="manager_id")
    supervising_leader = fields.Integer(attribute="supervising_leader_id")


class DepartmentApi(RelatedInfoApiMixin, PolicyApiMixin, ModelRestApi):
    resource_name = "department"
    datamodel = SQLAInterface(Department)
    class_permission_name = DEPARTMENT
    base_permissions = [*RESOURCE_PERMISSIONS[DEPARTMENT]]
    method_permission_name = API_METHOD_PERMISSIONS
    allow_browser_login = True
    input_schema = DepartmentInput()
    output_schema = DepartmentOutput()
    list_model_schema = output_schema
    show_model_schema = output_schema
    read_only = ("id",)
    list_columns = ["id", "code", "name", "kind"]
    show_columns = list_columns
    order_columns = ["id", "code", "name"]
    search_columns = ["code", "name", "kind", "parent", "manager"]
    base_order = ("code", "asc")


class StaffView(PolicyFormMixin, ModelView):
    """Admin links each login to its department and position."""

    route_base = "/staff"
    datamodel = SQLAInterface(StaffProfile)
    class_permission_name = STAFF
    base_permissions = [*RESOURCE_PERMISSIONS[STAFF]]
    list_title = _("Staff")
    show_title = _("Staff member")
    add_title = _("Add staff member")
    edit_title = _("Edit staff member")
    label_columns = {"user": _("User"), "department": _("Department"), "position": _("Position")}
    list_columns = ["user", "department", "position"]
    add_columns = ["user", "department", "position"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["user", "department", "position"]
    formatters_columns = {"position": lambda code: label(POSITIONS, code)}
    add_form_extra_fields = {"position": choice_field(_("Position"), POSITIONS, required=False)}
    edit_form_extra_fields = add_form_extra_fields


class TeamMemberView(PolicyFormMixin, ModelView):
    route_base = "/team-members"
    datamodel = SQLAInterface(TeamMember)
    class_permission_name = TEAM
    base_permissions = [*RESOURCE_PERMISSIONS[TEAM]]
    label_columns = {
        "team": _("Team"),
        "department": _("Department"),
        "user": _("Person"),
        "is_core": _("Core member"),
    }
    list_columns = ["team", "department", "user", "is_core"]
    list_title = show_title = _("Team members")
    add_title = _("Add team member")
    edit_title = _("Edit team member")
    formatters_columns = {"department": or_blank, "user": or_blank, "is_core": yes_no}
    add_columns = list_columns
    edit_columns = list_columns


class TeamView(PolicyFormMixin, ModelView):
    """Distribution lists for notices (§3.6)."""

    route_base = "/teams"
    datamodel = SQLAInterface(Team)
    class_permission_name = TEAM
    base_permissions = [*RESOURCE_PERMISSIONS[TEAM]]
    list_title = _("Teams")
    show_title = _("Team")
    add_title = _("Add team")
    edit_title = _("Edit team")
    formatters_columns = {"leader": or_blank}
    label_columns = {"code": _("Code"), "name": _("Name"), "leader": _("Leader"), "members": _("Members")}
    list_columns = ["code", "name", "leader"]
    show_columns = ["code", "name", "leader", "members"]
    add_columns = ["code", "name", "leader"]
    edit_columns = add_columns
    related_views = [TeamMemberView]
    base_order = ("code", "asc")
