"""What Admin configures and everyone reads: ``category`` and ``refund_type``."""

from datetime import timedelta

from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _
from marshmallow import Schema, fields

from app.models import Category, RefundType
from app.policy import deadlines
from app.security import API_METHOD_PERMISSIONS, CATEGORY, REFUND_TYPE, RESOURCE_PERMISSIONS
from app.views.formatting import or_blank, yes_no
from app.views.mixins import PolicyApiMixin, PolicyFormMixin
from app.views.related import RelatedInfoApiMixin

LABELS = {
    "code": _("Code"),
    "name": _("Name"),
    "frontline_eligible": _("Frontline may refund"),
    "first_contact_hours": _("First contact within (hours)"),
    "final_result_hours": _("Final result within (hours)"),
    "dispatch_reply_hours": _("Dispatch reply within (hours)"),
}
HOURS = ["first_contact_hours", "final_result_hours", "dispatch_reply_hours"]
HOURS_HELP = _(
    "Empty: the default (%(first)s / %(final)s / %(reply)s hours).",
    first=deadlines.FIRST_CONTACT // timedelta(hours=1),
    final=deadlines.FINAL_RESULT // timedelta(hours=1),
    reply=deadlines.DISPATCH_REPLY // timedelta(hours=1),
)


class CategoryView(PolicyFormMixin, ModelView):
    route_base = "/categories"
    datamodel = SQLAInterface(Category)
    class_permission_name = CATEGORY
    base_permissions = [*RESOURCE_PERMISSIONS[CATEGORY]]
    list_title = _("Categories")
    show_title = _("Category")
    add_title = _("Add category")
    edit_title = _("Edit category")
    formatters_columns = {field: or_blank for field in HOURS}
    label_columns = LABELS
    list_columns = ["code", "name", *HOURS]
    add_columns = edit_columns = show_columns = ["code", "name", *HOURS]
    description_columns = {field: HOURS_HELP for field in HOURS}
    base_order = ("id", "asc")


class RefundTypeView(PolicyFormMixin, ModelView):
    route_base = "/refund-types"
    datamodel = SQLAInterface(RefundType)
    class_permission_name = REFUND_TYPE
    base_permissions = [*RESOURCE_PERMISSIONS[REFUND_TYPE]]
    list_title = _("Refund types")
    show_title = _("Refund type")
    add_title = _("Add refund type")
    edit_title = _("Edit refund type")
    formatters_columns = {"frontline_eligible": yes_no}
    label_columns = LABELS
    list_columns = ["code", "name", "frontline_eligible"]
    add_columns = edit_columns = show_columns = list_columns
    base_order = ("id", "asc")


class CatalogInput(Schema):
    code = fields.String()
    name = fields.String()


class CatalogOutput(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class RefundTypeInput(CatalogInput):
    frontline_eligible = fields.Boolean()


class RefundTypeOutput(CatalogOutput):
    frontline_eligible = fields.Boolean()


class CatalogApi(RelatedInfoApiMixin, PolicyApiMixin, ModelRestApi):
    method_permission_name = API_METHOD_PERMISSIONS
    allow_browser_login = True
    read_only = ("id",)
    list_columns = ["id", "code", "name"]
    show_columns = list_columns
    order_columns = list_columns
    search_columns = ["code", "name"]
    base_order = ("id", "asc")


class CategoryInput(CatalogInput):
    first_contact_hours = fields.Integer(strict=True, allow_none=True)
    final_result_hours = fields.Integer(strict=True, allow_none=True)
    dispatch_reply_hours = fields.Integer(strict=True, allow_none=True)


class CategoryOutput(CatalogOutput):
    first_contact_hours = fields.Integer(allow_none=True)
    final_result_hours = fields.Integer(allow_none=True)
    dispatch_reply_hours = fields.Integer(allow_none=True)


class CategoryApi(CatalogApi):
    resource_name = "category"
    datamodel = SQLAInterface(Category)
    class_permission_name = CATEGORY
    base_permissions = [*RESOURCE_PERMISSIONS[CATEGORY]]
    input_schema = CategoryInput()
    output_schema = CategoryOutput()
    list_model_schema = show_model_schema = output_schema


class RefundTypeApi(CatalogApi):
    resource_name = "refund_type"
    datamodel = SQLAInterface(RefundType)
    class_permission_name = REFUND_TYPE
    base_permissions = [*RESOURCE_PERMISSIONS[REFUND_TYPE]]
    input_schema = RefundTypeInput()
    output_schema = RefundTypeOutput()
    list_model_schema = show_model_schema = output_schema
    search_columns = ["code", "name", "frontline_eligible"]
