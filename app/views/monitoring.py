"""Small-refund monitoring (小额赠费监控): the report page, its API and its Excel download,
and the thresholds Admin sets. All three read ``app.monitoring.report``, so they agree."""

from datetime import date
from io import BytesIO

from flask import abort, request
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _
from openpyxl import Workbook
from sqlalchemy import select

from app import clock, monitoring
from app.exports import append_row
from app.extensions import db
from app.models import Department, MonitoringThreshold, StaffProfile
from app.models.org import person_name
from app.policy import monitoring as monitoring_policy
from app.policy.vocabulary import MONITORING_FLAGS, label
from app.security import MONITORING_THRESHOLD, REFUND_MONITORING, RESOURCE_PERMISSIONS, current_viewer
from app.views.export import download
from app.views.formatting import NOT_A_MONTH
from app.views.mixins import PolicyFormMixin, is_id

SAME_CUSTOMER_DAYS = monitoring_policy.SAME_CUSTOMER_WITHIN.days
THRESHOLD_LABELS = {
    "daily_count": _("Direct refunds per day"),
    "daily_sum": _("Direct refund amount per day (yuan)"),
    "monthly_count": _("Direct refunds per month"),
    "monthly_sum": _("Direct refund amount per month (yuan)"),
    "same_customer_count": _("Refunds to one customer within %(days)s days", days=SAME_CUSTOMER_DAYS),
    "near_limit_from": _("Just under the limit: from (yuan)"),
    "near_limit_count": _("Refunds just under the limit per month"),
    "split_refused_count": _("Refused splitting attempts per month"),
}

# (heading, value of a row) in the page, the download and the API alike.
COLUMNS = [
    ("name", _("Staff member"), lambda row: row.name),
    ("department", _("Department"), lambda row: row.department),
    ("count", _("Direct refunds"), lambda row: row.count),
    ("sum", _("Amount (yuan)"), lambda row: row.total),
    ("max_daily_count", _("Most in a day"), lambda row: row.max_daily_count),
    ("max_daily_sum", _("Most yuan in a day"), lambda row: row.max_daily_sum),
    (
        "same_customer",
        _("Most to one customer in %(days)s days", days=SAME_CUSTOMER_DAYS),
        lambda row: row.same_customer,
    ),
    ("near_limit", _("Just under the limit"), lambda row: row.near_limit),
    ("split_refused", _("Refused splitting attempts"), lambda row: row.split_refused),
]


class BadInput(ValueError):
    pass


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` → the month's first day; empty: the current local month."""
    if not text:
        return clock.current_month(clock.now())
    try:
        return clock.parse_month(text)
    except ValueError:
        raise BadInput(str(NOT_A_MONTH)) from None


def _optional_id(name: str) -> int | None:
    value = request.args.get(name, "")
    if value == "":
        return None
    if not is_id(value):
        raise BadInput(str(_("Not a valid choice.")))
    return int(value)


def read_report():
    """The report the request asks for: (month, period, thresholds, rows), or None (404)."""
    month = parse_month(request.args.get("month"))
    result = monitoring.report(current_viewer(), month, clock.now(), _optional_id("department"), _optional_id("staff"))
    if result is None:
        return None
    return (month, *result)


def flag_labels(row) -> list[str]:
    return [str(label(MONITORING_FLAGS, flag)) for flag in row.flags]


class RefundMonitoringView(BaseView):
    """小额赠费监控: each staff member's direct refunds against the thresholds, for a month."""

    route_base = "/refund-monitoring"
    class_permission_name = REFUND_MONITORING
    base_permissions = [*RESOURCE_PERMISSIONS[REFUND_MONITORING]]
    default_view = "report"

    def _choices(self):
        viewer = current_viewer()
        scope = monitoring.scope_of(viewer)
        departments = select(Department).order_by(Department.code)
        staff = (
            select(User, StaffProfile.department_id)
            .join(StaffProfile, StaffProfile.user_id == User.id)
            .order_by(User.username)
        )
        if scope is not None:
            departments = departments.where(Department.id.in_(scope))
            staff = staff.where(StaffProfile.department_id.in_(scope))
        return (
            db.session.scalars(departments).all(),
            [(user.id, f"{person_name(user)} ({user.username})") for user, _department in db.session.execute(staff)],
        )

    @expose("/")
    @has_access
    @permission_name("list")
    def report(self):
        try:
            found = read_report()
        except BadInput as error:
            return self.render_template("monitoring/report.html", error=str(error), **self._page(None)), 400
        if found is None:
            abort(404)
        return self.render_template("monitoring/report.html", error=None, **self._page(found))

    def _page(self, found):
        departments, staff = self._choices()
        context = {
            "departments": departments,
            "staff": staff,
            "columns": COLUMNS,
            "threshold_labels": THRESHOLD_LABELS,
            "flag_labels": flag_labels,
            "args": request.args,
            "month": None,
            "rows": [],
            "limits": monitoring.thresholds(),
        }
        if found is not None:
            month, period, limits, rows = found
            context.update(month=f"{month:%Y-%m}", rows=rows, limits=limits, period=period)
        return context

    @expose("/export")
    @has_access
    @permission_name("list")
    def export(self):
        """The report, with its filters, as an Excel workbook."""
        try:
            found = read_report()
        except BadInput:
            abort(400)
        if found is None:
            abort(404)
        month, _period, _limits, rows = found
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=f"{month:%Y-%m}")
        append_row(sheet, [str(title) for _key, title, _read in COLUMNS] + [str(_("Flags"))])
        for row in rows:
            append_row(
                sheet,
                [float(value) if hasattr(value, "as_tuple") else value for value in (read(row) for *_, read in COLUMNS)]
                + ["、".join(flag_labels(row))],
            )
        buffer = BytesIO()
        book.save(buffer)
        return download(buffer.getvalue(), f"refund-monitoring-{month:%Y-%m}.xlsx")


class RefundMonitoringApi(BaseApi):
    """``GET /api/v1/refund_monitoring/?month=YYYY-MM&department=<id>&staff=<user id>``."""

    resource_name = "refund_monitoring"
    class_permission_name = REFUND_MONITORING
    base_permissions = [*RESOURCE_PERMISSIONS[REFUND_MONITORING]]
    method_permission_name = {"report": "list"}
    allow_browser_login = True

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("list")
    def report(self):
        """Each staff member's figures and flags for a month, within the caller's departments.
        ---
        get:
          responses:
            200: {description: The figures}
            400: {description: A malformed month or id}
            404: {description: A department or staff member outside the caller's departments}
        """
        try:
            found = read_report()
        except BadInput as error:
            return self.response_400(message=str(error))
        if found is None:
            return self.response_404()
        month, _period, limits, rows = found
        result = []
        for row in rows:
            item = {key: read(row) for key, _title, read in COLUMNS}
            item.update(
                user=row.user_id,
                sum=f"{row.total:.2f}",
                max_daily_sum=f"{row.max_daily_sum:.2f}",
                flags=list(row.flags),
            )
            result.append(item)
        return self.response(
            200,
            month=f"{month:%Y-%m}",
            thresholds={name: str(value) for name, value in limits.items()},
            count=len(result),
            result=result,
        )


class MonitoringThresholdView(PolicyFormMixin, ModelView):
    """The monitoring thresholds (one row), set by Admin; without it the defaults apply."""

    route_base = "/monitoring-thresholds"
    datamodel = SQLAInterface(MonitoringThreshold)
    class_permission_name = MONITORING_THRESHOLD
    base_permissions = [*RESOURCE_PERMISSIONS[MONITORING_THRESHOLD]]
    list_title = show_title = _("Monitoring thresholds")
    add_title = edit_title = _("Edit monitoring thresholds")
    label_columns = dict(THRESHOLD_LABELS)  # a copy: Flask-AppBuilder adds labels (id) to it
    list_columns = show_columns = add_columns = edit_columns = list(THRESHOLD_LABELS)

    def prefill_add(self, form) -> None:
        for name, value in monitoring.thresholds().items():
            form[name].data = value
