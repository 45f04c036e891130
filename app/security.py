"""Roles, permissions and who is looking (SPEC.md §2).

The four working roles are declared here in code (FAB_ROLES), each holding the
rights of the roles below it. ``Admin`` stays in the database and configures the
system: it gets no complaint work.
"""

import functools
import time
from dataclasses import dataclass

from flask import g
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_jwt_extended import JWTManager
from sqlalchemy.orm import joinedload

from app import signed_in
from app.policy import roles
from app.policy.organisation import approval_scope, subtree

# Permission names shared by each HTML view and its REST API (class_permission_name).
COMPLAINT = "Complaint"
DEPARTMENT = "Department"
CATEGORY = "Category"
REFUND_TYPE = "RefundType"
AUDIT = "AuditLog"
STAFF = "StaffProfile"
TEAM = "Team"
OUTBOX = "Outbox"
REFUND = "Refund"
ALERT = "Alert"
INCIDENT = "Incident"
HANDLING_GROUP = "HandlingGroup"
APPRAISAL = "Appraisal"
REFUND_INBOX = "RefundInbox"
EMAIL_TEMPLATE = "EmailTemplate"
BULLETIN = "Bulletin"
ATTACHMENT = "Attachment"
DOCUMENT = "Document"
REFUND_MONITORING = "RefundMonitoring"
MONITORING_THRESHOLD = "MonitoringThreshold"

# Each resource's permissions, the same for its HTML view and its REST API: FAB
# drops at every sync the permissions one of the two does not list.
CRUD = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
RESOURCE_PERMISSIONS = {
    COMPLAINT: ["can_list", "can_show", "can_add", "can_edit", "can_act", "can_import"],
    DEPARTMENT: CRUD,
    CATEGORY: CRUD,
    REFUND_TYPE: CRUD,
    STAFF: CRUD,
    TEAM: CRUD,
    AUDIT: ["can_list", "can_show"],
    OUTBOX: ["can_list", "can_show", "resend"],
    EMAIL_TEMPLATE: ["can_list", "can_show", "can_edit"],
    REFUND: ["can_list", "can_show", "can_add", "can_decide"],
    REFUND_INBOX: ["can_list", "can_decide"],
    ALERT: ["can_list", "can_show"],
    INCIDENT: ["can_list", "can_show", "can_act"],
    HANDLING_GROUP: ["can_list", "can_show", "can_act"],
    APPRAISAL: ["can_list", "can_show", "can_add", "can_decide"],
    BULLETIN: ["can_show"],
    # Row-level rights and the owner's own permissions decide further (app/attachments.py).
    ATTACHMENT: ["can_list", "can_show", "can_add"],
    # The printable notices (公文) as PDF, for whoever sees the row they are about.
    DOCUMENT: ["can_show"],
    REFUND_MONITORING: ["can_list"],
    MONITORING_THRESHOLD: ["can_list", "can_show", "can_add", "can_edit"],
}

# The REST API's methods mapped onto the HTML view's permissions.
API_METHOD_PERMISSIONS = {
    "get_list": "list",
    "get": "show",
    "post": "add",
    "put": "edit",
    "delete": "delete",
    "info": "list",
}

# Seconds a process trusts its copy of the Public role's permissions (Admin may change them).
PUBLIC_PERMISSIONS_TTL = 60

# Menu entries (menu_access) by name.
MENU_WORK = "Complaint handling"
MENU_COMPLAINTS = "Complaints"
MENU_ORGANISATION = "Organisation"
MENU_DEPARTMENTS = "Departments"
MENU_CATEGORIES = "Categories"
MENU_REFUND_TYPES = "Refund types"
MENU_STAFF = "Staff"
MENU_TEAMS = "Teams"
MENU_AUDIT = "Audit log"
MENU_OUTBOX = "Notice outbox"
MENU_REFUNDS = "Refund requests"
MENU_ALERTS = "Alerts"
MENU_INCIDENTS = "Incidents"
MENU_GROUPS = "Temporary handling groups"
MENU_APPRAISALS = "Commendations and criticisms"
MENU_MY_COMPLAINTS = "My complaints"
MENU_DEPARTMENT_QUEUE = "Dispatched to my department"
MENU_OVERDUE = "Overdue complaints"
MENU_REFUND_INBOX = "Approvals inbox"
MENU_EMAIL_TEMPLATES = "Email templates"
MENU_BULLETIN = "Monthly bulletin"
MENU_REFUND_MONITORING = "Small-refund monitoring"
MENU_MONITORING_THRESHOLDS = "Monitoring thresholds"
MENU_IMPORT = "Import complaints"

_READ = ("can_list", "can_show")


def _grant(view: str, permissions) -> list[tuple[str, str]]:
    return [(view, permission) for permission in permissions]


# What every signed-in member of staff may do: their own account, and reading
# the organisation and the catalogues.
_STAFF_BASICS = [
    ("UserDBModelView", "can_userinfo"),
    ("ResetMyPasswordView", "can_this_form_get"),
    ("ResetMyPasswordView", "can_this_form_post"),
    ("UserInfoEditView", "can_this_form_get"),
    ("UserInfoEditView", "can_this_form_post"),
    *_grant(DEPARTMENT, _READ),
    *_grant(CATEGORY, _READ),
    *_grant(REFUND_TYPE, _READ),
    *_grant(TEAM, _READ),
    (MENU_ORGANISATION, "menu_access"),
    (MENU_DEPARTMENTS, "menu_access"),
    (MENU_CATEGORIES, "menu_access"),
    (MENU_REFUND_TYPES, "menu_access"),
    (MENU_TEAMS, "menu_access"),
]

FRONTLINE_PERMISSIONS = [
    *_STAFF_BASICS,
    *_grant(COMPLAINT, ("can_list", "can_show", "can_add", "can_edit", "can_act")),
    *_grant(REFUND, ("can_list", "can_show", "can_add")),
    *_grant(ALERT, _READ),
    *_grant(APPRAISAL, _READ),
    # §3.5: who may act on an incident is decided by app.policy.incidents.
    *_grant(INCIDENT, ("can_list", "can_show", "can_act")),
    (MENU_INCIDENTS, "menu_access"),
    *_grant(HANDLING_GROUP, _READ),
    (MENU_GROUPS, "menu_access"),
    (MENU_WORK, "menu_access"),
    (MENU_COMPLAINTS, "menu_access"),
    (MENU_MY_COMPLAINTS, "menu_access"),
    (MENU_DEPARTMENT_QUEUE, "menu_access"),
    (MENU_OVERDUE, "menu_access"),
    (MENU_REFUNDS, "menu_access"),
    (MENU_ALERTS, "menu_access"),
    (MENU_APPRAISALS, "menu_access"),
    *_grant(ATTACHMENT, ("can_list", "can_show", "can_add")),
    (DOCUMENT, "can_show"),
]
# §2.5: room managers and above decide refunds within their authority.
ROOM_MANAGER_PERMISSIONS = [
    *FRONTLINE_PERMISSIONS,
    (REFUND, "can_decide"),
    *_grant(REFUND_INBOX, ("can_list", "can_decide")),
    (MENU_REFUND_INBOX, "menu_access"),
    # §6: managers commend and criticise, and publish or discard drafted criticisms.
    *_grant(APPRAISAL, ("can_add", "can_decide")),
    # §5: managers convene temporary handling groups, send their notices and minutes.
    (HANDLING_GROUP, "can_act"),
    # §6: the monthly bulletin compares departments and names those criticised: a report for
    # the managers who act on it (front-line staff get it in their department's mailbox).
    (BULLETIN, "can_show"),
    (MENU_BULLETIN, "menu_access"),
    # §2.5 小额赠费监控: room managers and above audit the direct refunds of their subtree.
    (REFUND_MONITORING, "can_list"),
    (MENU_REFUND_MONITORING, "menu_access"),
    # Bulk import of the 10086 export, into the manager's own department (app.policy.imports).
    (COMPLAINT, "can_import"),
    (MENU_IMPORT, "menu_access"),
]
CENTER_MANAGER_PERMISSIONS = [*ROOM_MANAGER_PERMISSIONS]
# §8: the audit log is read by company leadership (and Admin). So is the outbox
# of §7, which holds every department's notices: managers get theirs by mail.
LEADERSHIP_PERMISSIONS = [
    *CENTER_MANAGER_PERMISSIONS,
    *_grant(AUDIT, _READ),
    (MENU_AUDIT, "menu_access"),
    *_grant(OUTBOX, _READ),
    (MENU_OUTBOX, "menu_access"),
]

ROLE_PERMISSIONS = {
    roles.FRONTLINE: FRONTLINE_PERMISSIONS,
    roles.ROOM_MANAGER: ROOM_MANAGER_PERMISSIONS,
    roles.CENTER_MANAGER: CENTER_MANAGER_PERMISSIONS,
    roles.LEADERSHIP: LEADERSHIP_PERMISSIONS,
}

# Views of complaint work: Admin configures, it does not handle complaints.
WORK_VIEWS = {
    COMPLAINT,
    REFUND,
    REFUND_INBOX,
    ALERT,
    APPRAISAL,
    INCIDENT,
    MENU_INCIDENTS,
    HANDLING_GROUP,
    MENU_GROUPS,
    MENU_WORK,
    MENU_COMPLAINTS,
    MENU_MY_COMPLAINTS,
    MENU_DEPARTMENT_QUEUE,
    MENU_OVERDUE,
    MENU_REFUNDS,
    MENU_REFUND_INBOX,
    MENU_ALERTS,
    MENU_APPRAISALS,
    BULLETIN,
    MENU_BULLETIN,
    ATTACHMENT,
    DOCUMENT,
    REFUND_MONITORING,
    MENU_REFUND_MONITORING,
    MENU_IMPORT,
}


class RememberingJWTManager(JWTManager):
    """Flask-JWT-Extended's manager, remembering the API tokens it has verified.

    A client sends the same token with every call until it expires; checking its
    signature once per process is enough. A remembered token is taken only until
    its ``exp``; after that it goes through the full check again (and is refused
    as expired). Which user it names is still loaded at every call (app.signed_in).
    """

    REMEMBERED = 4096  # tokens per process; all are forgotten when there are more

    def __init__(self, app=None, add_context_processor: bool = False) -> None:
        super().__init__(app, add_context_processor)
        self._verified: dict[str, dict] = {}

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None, allow_expired: bool = False) -> dict:
        # Only the plain check is remembered: a CSRF value or an expired token allowed goes the full way.
        plain = csrf_value is None and not allow_expired
        if plain:
            claims = self._verified.get(encoded_token)
            if claims is not None and time.time() < claims.get("exp", float("inf")):
                return dict(claims)
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        if plain:
            if len(self._verified) >= self.REMEMBERED:
                self._verified.clear()
            self._verified[encoded_token] = dict(claims)
        return claims


def _count_failed_sign_in() -> None:
    from app import web_security

    web_security.sign_in_failed()


class ComplaintSecurityManager(SecurityManager):
    """FAB's security manager with exact permission names and a work-free Admin."""

    def __init__(self, appbuilder):
        from app.views.sign_out import AuthDBView, AuthLDAPView

        # Sign-out by POST, ending the session on the server.
        self.authdbview, self.authldapview = AuthDBView, AuthLDAPView
        super().__init__(appbuilder)
        self._public_permissions: tuple[float, frozenset] | None = None
        self._builtin_sets = {
            role: {(view, permission) for view, permission in grants} for role, grants in self.builtin_roles.items()
        }

    def is_item_public(self, permission_name, view_name) -> bool:
        """FAB asks on every API request; the Public role's permissions are read once a minute."""
        now = time.monotonic()
        if self._public_permissions is None or now - self._public_permissions[0] > PUBLIC_PERMISSIONS_TTL:
            names = {(pv.view_menu.name, pv.permission.name) for pv in self.get_public_permissions() or ()}
            self._public_permissions = (now, frozenset(names))
        return (view_name, permission_name) in self._public_permissions[1]

    def create_jwt_manager(self, app) -> JWTManager:
        jwt_manager = RememberingJWTManager()
        jwt_manager.init_app(app)
        jwt_manager.user_lookup_loader(self.load_user_jwt)
        return jwt_manager

    def get_user_by_id(self, pk):
        """A user with roles, groups and staff profile, in one query."""
        return self.session.get(self.user_model, pk, options=self._user_graph)

    def load_user(self, pk):
        """The signed-in user of a request, from this process's copy (app.signed_in) while it is fresh."""
        user = signed_in.load(self.session, int(pk), self._user_graph)
        if user is not None and user.is_active:
            return user
        return None

    @functools.cached_property
    def _user_graph(self) -> list:
        """The loader options of a user with what every request reads of it (built once)."""
        options = [joinedload(self.user_model.roles), joinedload(self.user_model.groups)]
        if hasattr(self.user_model, "profile"):
            options.append(joinedload(self.user_model.profile))
        return options

    def _has_access_builtin_roles(self, role, permission_name, view_name) -> bool:
        # Plain names, compared exactly: FAB's default re.match would let
        # "Complaint" grant "ComplaintX" as well.
        return (view_name, permission_name) in self._builtin_sets.get(role.name, ())

    @property
    def is_auth_limited(self) -> bool:
        """FAB's own limit (every attempt per address, the form only) gives way to the app's, below."""
        return False

    def register_views(self) -> None:
        from app import web_security

        super().register_views()
        api = next(view for view in self.appbuilder.baseviews if isinstance(view, SecurityApi))
        web_security.limit_sign_in(
            self.limiter,
            [self.auth_view.blueprint, api.blueprint],
            {f"{self.auth_view.endpoint}.login", f"{api.endpoint}.login"},
        )

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        if user is None:
            _count_failed_sign_in()
        return user

    def auth_user_ldap(self, username, password):
        user = super().auth_user_ldap(username, password)
        if user is None:
            _count_failed_sign_in()
        return user

    def add_permission_role(self, role, perm_view) -> None:
        if role is not None and role.name == self.auth_role_admin and perm_view.view_menu.name in WORK_VIEWS:
            return
        super().add_permission_role(role, perm_view)


@dataclass(frozen=True)
class Viewer:
    """Who is looking, with what the row-level rules need to know."""

    user_id: int | None
    username: str
    role_names: frozenset[str]
    department_id: int | None
    department_ids: frozenset[int]
    # Room managers and above decide the refunds of their whole unit (policy.organisation.unit_of).
    approval_department_ids: frozenset[int] = frozenset()

    @property
    def sees_everything(self) -> bool:
        return roles.sees_everything(self.role_names)


def viewer_for(user) -> Viewer:
    from app import reference
    from app.extensions import db

    profile = getattr(user, "profile", None)
    department_id = profile.department_id if profile else None
    role_names = frozenset(role.name for role in user.roles)
    department_ids: frozenset[int] = frozenset()
    approval_department_ids: frozenset[int] = frozenset()
    if department_id is not None:
        edges = reference.department_edges(db.session)
        department_ids = frozenset(subtree(department_id, edges))
        if roles.rank(role_names) >= roles.WORKING_ROLES.index(roles.ROOM_MANAGER):
            approval_department_ids = frozenset(approval_scope(department_id, edges))
    return Viewer(
        user_id=user.id,
        username=user.username,
        role_names=role_names,
        department_id=department_id,
        department_ids=department_ids,
        approval_department_ids=approval_department_ids,
    )


def current_viewer() -> Viewer | None:
    """The viewer of this request (web session or API token), computed once."""
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    viewer = getattr(g, "_viewer", None)
    if viewer is None or viewer.user_id != user.id:
        viewer = g._viewer = viewer_for(user)
    return viewer
