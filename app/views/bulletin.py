"""The monthly bulletin page and its workbook download (SPEC.md §6)."""

from flask import abort, flash, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _

from app import bulletin, clock
from app.security import BULLETIN, RESOURCE_PERMISSIONS
from app.views import export


class BulletinView(BaseView):
    """月度通报: the month's figures with charts, and the same figures as a workbook."""

    route_base = "/bulletin"
    class_permission_name = BULLETIN
    base_permissions = [*RESOURCE_PERMISSIONS[BULLETIN]]
    default_view = "index"

    def _month(self):
        """The month asked for (``?month=YYYY-MM``), or this month; None when it is not a month."""
        text = request.args.get("month")
        if not text:
            return bulletin.current_month(clock.now())
        try:
            return bulletin.parse_month(text)
        except ValueError:
            return None

    @expose("/")
    @has_access
    @permission_name("show")
    def index(self):
        month = self._month()
        status = 200
        if month is None:
            flash(str(_("Give a month as YYYY-MM, such as 2026-10.")), "danger")
            month, status = bulletin.current_month(clock.now()), 400
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
            abort(400, description=str(_("Give a month as YYYY-MM, such as 2026-10.")))
        return export.download(bulletin.workbook(bulletin.build(month)), bulletin.filename(month))
