"""The printable notices (公文) as PDF downloads, for whoever may see the row they are about."""

import io
import logging

from flask import abort, send_file
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import select

from app import documents
from app.extensions import appbuilder, db
from app.policy import NotFound
from app.security import APPRAISAL, COMPLAINT, DOCUMENT, HANDLING_GROUP, INCIDENT, RESOURCE_PERMISSIONS, current_viewer

log = logging.getLogger(__name__)

# Each kind of document may be read by those who may read its row's page.
ROW_PERMISSION = {
    "complaint_result": COMPLAINT,
    "incident_result": INCIDENT,
    "minutes": HANDLING_GROUP,
    "appraisal": APPRAISAL,
}


def pdf_response(filename: str, content: bytes):
    response = send_file(io.BytesIO(content), mimetype=documents.PDF_TYPE, as_attachment=True, download_name=filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


class DocumentView(BaseView):
    route_base = "/documents"
    class_permission_name = DOCUMENT
    base_permissions = [*RESOURCE_PERMISSIONS[DOCUMENT]]
    default_view = "pdf"

    @expose("/<kind>/<int:pk>.pdf")
    @has_access
    @permission_name("show")
    def pdf(self, kind, pk):
        model = documents.KINDS.get(kind, (None,))[0]
        viewer = current_viewer()
        if model is None or viewer is None or not appbuilder.sm.has_access("can_show", ROW_PERMISSION[kind]):
            abort(404)
        row = db.session.scalar(select(model).where(model.id == pk, model.visible_to(viewer)))
        if row is None:
            abort(404)
        try:
            filename, _type, content = documents.pdf_file(kind, row)
        except NotFound:
            abort(404)
        except documents.DocumentFontMissing as error:
            log.error("%s", error)
            abort(503, description=str(error))
        return pdf_response(filename, content)
