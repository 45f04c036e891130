"""The monthly bulletin page and its workbook download (SPEC.md §6)."""

import logging

from flask import abort, flash, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _

from app import bulletin, clock, documents
from app.security import BULLETIN, RESOURCE_PERMISSIONS
from app.views import export
from app.views.documents import pdf_response
from app.views.formatting import NOT_A_MONTH

log = logging.getLogger(__name__)


def last_complete_month():
    return clock.previous_month(clock.current_month(clock.now()))


class BulletinView(BaseView):
    """月度通报: the month's figures with charts, and the same figures as a workbook."""

    route_base = "/bulletin"
    class_permission_name = BULLETIN
    base_permissions = [*RESOURCE_PERMISSIONS[BULLETIN]]
    default_view = "index"

    def _month(self):
        """The month asked for (``?month=YYYY-MM``), or the last complete month (the one a bulletin
        reports: two days into a month its own figures compare with nothing); None when it is not a month."""
        text = request.args.get("month")
        if not text:
            return last_complete_month()
        try:
            return clock.parse_month(text)
        except ValueError:
            return None

    @expose("/")
    @has_access
    @permission_name("show")
    def index(self):
        month = self._month()
        status = 200
        if month is None:
            flash(str(NOT_A_MONTH), "danger")
            month, status = last_complete_month(), 400
        built = bulletin.build(month)
        return (
            self.render_template(
                "bulletin/index.html",
                title=_("Monthly bulletin"),
                bulletin=built,
                charts=bulletin.chart_data(built),
            ),
            status,
        )

    @expose("/download")
    @has_access
    @permission_name("show")
    def download(self):
        month = self._month()
        if month is None:
            abort(400, description=str(NOT_A_MONTH))
        return export.download(bulletin.workbook(bulletin.build(month)), bulletin.filename(month))

    @expose("/pdf")
    @has_access
    @permission_name("show")
    def pdf(self):
        month = self._month()
        if month is None:
            abort(400, description=str(NOT_A_MONTH))
        built = bulletin.build(month)
        try:
            content = bulletin.pdf(built)
        except documents.DocumentFontMissing as error:
            log.error("%s", error)
            abort(503, description=str(error))
        return pdf_response(f"bulletin-{built.label}.pdf", content)
