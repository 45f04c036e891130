"""Registers the views, APIs and menus with Flask-AppBuilder."""

from flask_babel import lazy_gettext as _

from app import security
from app.views.alerts import AlertApi, AlertView, AppraisalView
from app.views.attachments import AttachmentApi, AttachmentView
from app.views.audit import AuditApi, AuditView
from app.views.bulletin import BulletinView
from app.views.catalog import CategoryApi, CategoryView, RefundTypeApi, RefundTypeView
from app.views.complaints import (
    ComplaintApi,
    ComplaintView,
    DepartmentOverdueView,
    DepartmentQueueView,
    MyComplaintsView,
    MyOpenComplaintsView,
    MyOverdueComplaintsView,
    OverdueComplaintsView,
)
from app.views.documents import DocumentView
from app.views.groups import HandlingGroupView
from app.views.imports import ComplaintImportView
from app.views.incidents import IncidentApi, IncidentView
from app.views.monitoring import MonitoringThresholdView, RefundMonitoringApi, RefundMonitoringView
from app.views.notices import EmailTemplateView, OutboxApi, OutboxView
from app.views.org import DepartmentApi, DepartmentView, StaffView, TeamMemberView, TeamView
from app.views.refunds import RefundApi, RefundInboxView, RefundView
from app.views.search import ComplaintSearchView


def register_views(appbuilder) -> None:
    appbuilder.add_view(
        ComplaintView,
        security.MENU_COMPLAINTS,
        label=_("Complaints"),
        icon="fa-comments",
        category=security.MENU_WORK,
        category_label=_("Complaint handling"),
        category_icon="fa-headphones",
    )
    work = {"category": security.MENU_WORK}
    appbuilder.add_view(MyComplaintsView, security.MENU_MY_COMPLAINTS, label=_("My complaints"), icon="fa-user", **work)
    appbuilder.add_view(
        DepartmentQueueView,
        security.MENU_DEPARTMENT_QUEUE,
        label=_("Dispatched to my department"),
        icon="fa-inbox",
        **work,
    )
    appbuilder.add_view(
        OverdueComplaintsView, security.MENU_OVERDUE, label=_("Overdue complaints"), icon="fa-clock-o", **work
    )
    appbuilder.add_view(
        ComplaintImportView, security.MENU_IMPORT, label=_("Import complaints"), icon="fa-upload", **work
    )
    appbuilder.add_view(AlertView, security.MENU_ALERTS, label=_("Alerts"), icon="fa-bell", **work)
    appbuilder.add_view(IncidentView, security.MENU_INCIDENTS, label=_("Incidents"), icon="fa-bolt", **work)
    appbuilder.add_view(
        HandlingGroupView, security.MENU_GROUPS, label=_("Temporary handling groups"), icon="fa-users", **work
    )
    appbuilder.add_view(
        AppraisalView,
        security.MENU_APPRAISALS,
        label=_("Commendations and criticisms"),
        icon="fa-flag",
        **work,
    )
    appbuilder.add_view(BulletinView, security.MENU_BULLETIN, label=_("Monthly bulletin"), icon="fa-bar-chart", **work)
    appbuilder.add_view(RefundView, security.MENU_REFUNDS, label=_("Refund requests"), icon="fa-money", **work)
    appbuilder.add_view(
        RefundInboxView, security.MENU_REFUND_INBOX, label=_("Approvals inbox"), icon="fa-check-square-o", **work
    )
    appbuilder.add_view(
        RefundMonitoringView,
        security.MENU_REFUND_MONITORING,
        label=_("Small-refund monitoring"),
        icon="fa-line-chart",
        **work,
    )
    organisation = {"category": security.MENU_ORGANISATION, "category_label": _("Organisation")}
    appbuilder.add_view(
        DepartmentView, security.MENU_DEPARTMENTS, label=_("Departments"), icon="fa-sitemap", **organisation
    )
    appbuilder.add_view(TeamView, security.MENU_TEAMS, label=_("Teams"), icon="fa-users", **organisation)
    appbuilder.add_view(StaffView, security.MENU_STAFF, label=_("Staff"), icon="fa-id-badge", **organisation)
    appbuilder.add_view(CategoryView, security.MENU_CATEGORIES, label=_("Categories"), icon="fa-tags", **organisation)
    appbuilder.add_view(
        RefundTypeView, security.MENU_REFUND_TYPES, label=_("Refund types"), icon="fa-money", **organisation
    )
    # A top-level entry: leadership reads the log without access to user management.
    appbuilder.add_view(AuditView, security.MENU_AUDIT, label=_("Audit log"), icon="fa-history")
    appbuilder.add_view(OutboxView, security.MENU_OUTBOX, label=_("Outbox"), icon="fa-envelope")
    appbuilder.add_view(
        EmailTemplateView,
        security.MENU_EMAIL_TEMPLATES,
        label=_("Email templates"),
        icon="fa-envelope-o",
        **organisation,
    )
    appbuilder.add_view(
        MonitoringThresholdView,
        security.MENU_MONITORING_THRESHOLDS,
        label=_("Monitoring thresholds"),
        icon="fa-sliders",
        **organisation,
    )
    appbuilder.add_view_no_menu(TeamMemberView)
    # The lists behind the home page's numbers.
    appbuilder.add_view_no_menu(MyOpenComplaintsView)
    appbuilder.add_view_no_menu(MyOverdueComplaintsView)
    appbuilder.add_view_no_menu(DepartmentOverdueView)
    appbuilder.add_view_no_menu(AttachmentView)
    appbuilder.add_view_no_menu(DocumentView)
    appbuilder.add_view_no_menu(ComplaintSearchView)
    for api in (
        ComplaintApi,
        DepartmentApi,
        CategoryApi,
        RefundTypeApi,
        AuditApi,
        OutboxApi,
        RefundApi,
        AlertApi,
        IncidentApi,
        AttachmentApi,
        RefundMonitoringApi,
    ):
        appbuilder.add_api(api)
