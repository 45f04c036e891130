"""The search box's results page (the REST API's is ``ComplaintApi.search``)."""

from flask import request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _

from app import clock
from app import search as complaint_search
from app.policy import ValidationFailed
from app.policy import search as policy
from app.policy.vocabulary import STATUSES, label
from app.security import COMPLAINT, RESOURCE_PERMISSIONS, current_viewer

HELP = _(
    "Finds complaints by number (DG…), by the start or the last 4 digits of the customer's phone number, "
    "or by words of the topic or summary (separate several words by spaces; words of 2 characters only "
    "search the last %(days)s days).",
    days=policy.SHORT_WORDS_WITHIN.days,
)


def page_argument() -> int:
    value = request.args.get("page", "0")
    return int(value) if value.isdigit() and len(value) < 6 else 0


class ComplaintSearchView(BaseView):
    """Complaints by number, phone or text, among those the user may see."""

    route_base = "/complaints/search"
    class_permission_name = COMPLAINT
    base_permissions = [*RESOURCE_PERMISSIONS[COMPLAINT]]
    default_view = "search"

    @expose("/")
    @has_access
    @permission_name("list")
    def search(self):
        query = request.args.get("q", "")
        results = error = None
        if query.strip():
            try:
                results = complaint_search.search(query, current_viewer(), page_argument())
            except ValidationFailed as failure:
                error = failure.errors["text"]
        return self.render_template(
            "complaints/search.html",
            title=_("Search complaints"),
            query=" ".join(query.split()),
            results=results,
            error=error,
            help=HELP,
            limit=policy.RESULT_LIMIT,
            format_time=clock.format_local,
            status_label=lambda code: label(STATUSES, code),
        )
