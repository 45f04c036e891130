"""The home page: each role's own work, every number a link to the list behind it."""

from dataclasses import dataclass

from flask import g, url_for
from flask_appbuilder import IndexView, expose
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterGreater, FilterNotEqual
from flask_babel import lazy_gettext as _

from app import bulletin, clock
from app.policy import repeats, roles
from app.policy.vocabulary import ROLE_LABELS, label
from app.security import ALERT, INCIDENT, REFUND_INBOX, current_viewer
from app.views.story import time_left

# How many rows each dashboard table shows; the number above it links to them all.
DASHBOARD_ROWS = 8


@dataclass
class Figure:
    """A number on the dashboard and the filtered list it counts."""

    title: str
    count: int
    url: str
    alarm: bool = False


class HomeView(IndexView):
    index_template = "home.html"

    def _view(self, name: str):
        return next(view for view in self.appbuilder.baseviews if type(view).__name__ == name)

    def _listed(self, name: str, *conditions):
        """The view's list as its base filters and ``conditions`` ((column, filter class, value), as
        the list's URL filters ``_flt_<n>_<column>=value`` give them); returns (view, filters, url)."""
        view = self._view(name)
        filters = view._base_filters.copy()
        arguments = {}
        for column, filter_class, value in conditions:
            search = view._filters.get_search_filters()[column]
            index = next(number for number, item in enumerate(search) if type(item) is filter_class)
            filters.add_filter(column, filter_class, value)
            arguments[f"_flt_{index}_{column}"] = value
        return view, filters, url_for(f"{name}.list", **arguments)

    def _figure(self, title, name: str, *conditions, alarm: bool = False) -> Figure:
        view, filters, url = self._listed(name, *conditions)
        query = view.datamodel.session.query(view.datamodel.obj)
        count = view.datamodel.query_count(query, filters)
        return Figure(str(title), count, url, alarm and count > 0)

    def _rows(self, name: str, order: tuple[str, str], *conditions) -> list:
        view, filters, _url = self._listed(name, *conditions)
        _count, rows = view.datamodel.query(filters, order[0], order[1], page=0, page_size=DASHBOARD_ROWS)
        return rows

    def _repeats(self, now) -> Figure:
        """Issue 11: the repeat complaints among those I can see of the last REPEAT_WITHIN, and their rate."""
        since = ("received_at", FilterGreater, f"{clock.to_local(now - repeats.REPEAT_WITHIN):%Y-%m-%d %H:%M:%S}")
        figure = self._figure("", "ComplaintView", since, ("is_repeat", FilterEqual, "y"))
        received = self._figure("", "ComplaintView", since).count
        figure.title = str(
            _(
                "Repeat complaints, last %(days)s days (%(rate).1f%% of %(received)s)",
                days=repeats.REPEAT_WITHIN.days,
                rate=100 * repeats.rate(figure.count, received),
                received=received,
            )
        )
        return figure

    def _dashboard(self, viewer) -> dict:
        now = clock.now()
        has_access = self.appbuilder.sm.has_access
        board = {"now": now, "time_left": time_left, "figures": {}, "tables": {}, "charts": []}
        figures, tables = board["figures"], board["tables"]
        # Frontline, and everyone above: my open complaints, my alerts.
        figures["frontline"] = [
            self._figure(_("My open complaints"), "MyOpenComplaintsView"),
            self._figure(_("My overdue complaints"), "MyOverdueComplaintsView", alarm=True),
        ]
        tables["my_open"] = self._rows("MyOpenComplaintsView", ("resolve_due", "asc"))
        if has_access("can_list", ALERT):
            figures["frontline"].append(self._figure(_("Alerts for me"), "AlertView"))
            tables["alerts"] = self._rows("AlertView", ("id", "desc"))
        # Managers: what waits for their decision or is late at their department.
        if has_access("can_list", REFUND_INBOX):
            figures["manager"] = [
                self._figure(_("Refunds awaiting my approval"), "RefundInboxView", alarm=True),
                self._figure(_("Overdue dispatches of my department"), "DepartmentOverdueView", alarm=True),
                self._figure(_("Dispatched to my department"), "DepartmentQueueView"),
                self._figure(_("Overdue complaints I can see"), "OverdueComplaintsView", alarm=True),
            ]
            figures["manager"].append(self._repeats(now))
            if has_access("can_list", INCIDENT):
                figures["manager"].append(
                    self._figure(_("Incidents not resolved"), "IncidentView", ("status", FilterNotEqual, "resolved"))
                )
        # Company leadership: reports to it, the major complaints, the trend.
        if roles.sees_everything(viewer.role_names):
            leadership_report = ("rule", FilterEqual, "leadership_report")
            major = ("severity", FilterEqual, "major")
            figures["leadership"] = [
                self._figure(_("Reports to company leadership"), "AlertView", leadership_report, alarm=True),
                self._figure(_("Major complaints"), "ComplaintView", major),
            ]
            tables["leadership_reports"] = self._rows("AlertView", ("id", "desc"), leadership_report)
            tables["major"] = self._rows("ComplaintView", ("received_at", "desc"), major)
            board["charts"].append(bulletin.daily_volume(now))
        return board

    @expose("/")
    def index(self):
        viewer = current_viewer()
        working = viewer is not None and viewer.department_id is not None and roles.rank(viewer.role_names) >= 0
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            user=getattr(g, "user", None),
            viewer=viewer,
            role_labels=sorted(label(ROLE_LABELS, name) for name in viewer.role_names) if viewer else [],
            board=self._dashboard(viewer) if working else None,
        )
