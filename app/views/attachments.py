"""Attachments on the pages (an upload form and a list on each owner's page) and in the REST API.

The API: ``GET /api/v1/attachment/`` (Rison ``q`` filters on ``owner_kind`` and ``owner_id``),
``GET /api/v1/attachment/<id>``, ``POST /api/v1/attachment/`` as multipart form data with
``kind``, ``owner`` and ``file``, and ``GET /api/v1/attachment/<id>/download``.
"""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, ModelRestApi, expose, has_access
from flask_appbuilder.api import safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _
from marshmallow import Schema, fields

from app import attachments
from app.extensions import db
from app.models import Attachment
from app.policy import NotFound, PolicyError
from app.security import API_METHOD_PERMISSIONS, ATTACHMENT, RESOURCE_PERMISSIONS
from app.views.filters import VisibleRows
from app.views.mixins import PolicyApiMixin, flash_policy_error
from app.views.related import RelatedInfoApiMixin
from app.views.schemas import Time


def _upload(kind: str, owner_id) -> Attachment:
    owner = attachments.owner_for(kind, owner_id, upload=True)
    attachment = attachments.store(kind, owner, request.files.get("file"), g.user)
    db.session.commit()
    return attachment


class AttachmentView(BaseView):
    route_base = "/attachments"
    class_permission_name = ATTACHMENT
    base_permissions = [*RESOURCE_PERMISSIONS[ATTACHMENT]]
    default_view = "download"

    @expose("/upload/<kind>/<int:owner_id>", methods=["POST"])
    @has_access
    @permission_name("add")
    def upload(self, kind, owner_id):
        if kind not in attachments.OWNER_PAGES:
            abort(404)
        try:
            attachment = _upload(kind, owner_id)
        except NotFound:
            db.session.rollback()
            abort(404)
        except PolicyError as error:
            db.session.rollback()
            flash_policy_error(error)
        else:
            flash(str(_("Attached: %(name)s", name=attachment.filename)), "success")
        return redirect(url_for(attachments.OWNER_PAGES[kind], pk=owner_id) + "#attachments")

    @expose("/download/<int:pk>")
    @has_access
    @permission_name("show")
    def download(self, pk):
        try:
            return attachments.download(attachments.visible_attachment(pk))
        except NotFound:
            abort(404)


class AttachmentOutput(Schema):
    id = fields.Integer()
    kind = fields.String(attribute="owner_kind")
    owner = fields.Integer(attribute="owner_id")
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Integer(attribute="uploaded_by_id")
    created_on = Time()


class AttachmentApi(RelatedInfoApiMixin, PolicyApiMixin, ModelRestApi):
    resource_name = "attachment"
    datamodel = SQLAInterface(Attachment)
    class_permission_name = ATTACHMENT
    base_permissions = [*RESOURCE_PERMISSIONS[ATTACHMENT]]
    method_permission_name = {**API_METHOD_PERMISSIONS, "download": "show"}
    include_route_methods = {"get", "get_list", "info", "post", "download"}
    base_filters = [["id", VisibleRows, None]]
    base_order = ("id", "desc")
    # A token, never the session cookie: a form on another site can post multipart data.
    allow_browser_login = False
    list_model_schema = show_model_schema = output_schema = AttachmentOutput()
    list_columns = ["id", "owner_kind", "owner_id", "filename", "content_type", "size", "created_on"]
    show_columns = list_columns
    order_columns = ["id", "created_on"]
    search_columns = ["owner_kind", "owner_id", "content_type", "created_on"]

    def post_headless(self):
        """Multipart form data: ``kind`` (complaint, incident, group, refund), ``owner`` (id), ``file``."""
        if not request.mimetype.startswith("multipart/form-data"):
            return self.response_400(message=str(_("Send the file as multipart/form-data with kind, owner and file.")))
        try:
            attachment = _upload(request.form.get("kind", ""), request.form.get("owner", ""))
        except PolicyError as error:
            db.session.rollback()
            return self.policy_error_response(error)
        return self.response(201, id=attachment.id, result=self.output_schema.dump(attachment))

    @expose("/<int:pk>/download", methods=["GET"])
    @protect()
    @safe
    @permission_name("show")
    def download(self, pk):
        """The file itself, as an attachment."""
        try:
            return attachments.download(attachments.visible_attachment(pk))
        except NotFound:
            return self.response_404()
