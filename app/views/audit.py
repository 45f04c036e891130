"""The audit log (§8): read-only, for Admin and company leadership."""

import json

from flask_appbuilder import ModelRestApi, ModelView
from flask_babel import lazy_gettext as _
from marshmallow import Schema, fields

from app import clock
from app.models import AuditLog
from app.policy.vocabulary import AUDIT_ACTIONS, label
from app.security import API_METHOD_PERMISSIONS, AUDIT, RESOURCE_PERMISSIONS
from app.views.lists import CappedCountInterface
from app.views.related import RelatedInfoApiMixin
from app.views.schemas import Time


class AuditView(ModelView):
    route_base = "/audit"
    datamodel = CappedCountInterface(AuditLog)
    class_permission_name = AUDIT
    base_permissions = [*RESOURCE_PERMISSIONS[AUDIT]]
    list_title = _("Audit log")
    show_title = _("Audit entry")
    label_columns = {
        "created_on": _("Time"),
        "user": _("User"),
        "action": _("Action"),
        "table_name": _("Table"),
        "row_id": _("Row"),
        "changes": _("Changes"),
    }
    list_columns = ["created_on", "user", "action", "table_name", "row_id"]
    show_columns = [*list_columns, "changes"]
    search_columns = ["created_on", "user", "action", "table_name", "row_id"]
    base_order = ("id", "desc")
    formatters_columns = {
        "created_on": lambda value: clock.format_local(value, "%Y-%m-%d %H:%M:%S"),
        "action": lambda code: label(AUDIT_ACTIONS, code),
        "changes": lambda changes: json.dumps(changes, ensure_ascii=False, indent=1),
    }


class AuditOutput(Schema):
    id = fields.Integer()
    table = fields.String(attribute="table_name")
    row_id = fields.Integer()
    action = fields.String()
    user = fields.String()
    changes = fields.Raw()
    created_on = Time()


class AuditApi(RelatedInfoApiMixin, ModelRestApi):
    resource_name = "audit"
    datamodel = CappedCountInterface(AuditLog)
    class_permission_name = AUDIT
    base_permissions = [*RESOURCE_PERMISSIONS[AUDIT]]
    method_permission_name = API_METHOD_PERMISSIONS
    include_route_methods = {"get", "get_list", "info"}
    allow_browser_login = True
    list_model_schema = show_model_schema = AuditOutput()
    list_columns = ["id", "table_name", "row_id", "action", "user", "created_on"]
    show_columns = list_columns
    order_columns = ["id", "created_on"]
    search_columns = ["table_name", "row_id", "action", "user", "created_on"]
    base_order = ("id", "desc")
