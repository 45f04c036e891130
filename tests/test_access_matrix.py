"""Access control as a matrix (OWASP ASVS V4): every route × every role × own / other rows.

Nothing here is a hand-kept list of pages. The routes come from the app's URL map,
each one's permission from its view (``class_permission_name``, the method's
permission name, ``method_permission_name``), and what each role may do from the
declarations in app/security.py (ROLE_PERMISSIONS, RESOURCE_PERMISSIONS, WORK_VIEWS)
and, for rows, from each model's ``visible_to``. So a view added tomorrow is in the
matrix at once: a route no declaration covers fails, and so does a route whose
answer over HTML or the API differs from what the declarations promise.

For each signed-in role and each route:
- not granted: 403 (a Flask-AppBuilder action: refused with a redirect), nothing changed;
- granted, a row the role may not see (another department's): 404, nothing changed;
- granted, a row it may see, or no row: every page and API read answers 200.
Writes that are granted on visible rows are the feature tests' business, not this one's.
Then: list filters and exports never widen what a role sees.
"""

import hashlib
import io
import re
from collections import defaultdict
from itertools import pairwise

import pytest
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock, security
from app.extensions import appbuilder, db
from app.models import Alert, Appraisal, Complaint, Department, RefundRequest
from app.policy import roles
from app.views.filters import has_row_rights, visible_rule
from app.web_security import is_disabled_door
from tests.conftest import Client, remove_rows_above
from tests.helpers import complaint_body

# One demo user per role (app/demo.py): their department's rows are "own", the others "other".
USERS = {
    roles.FRONTLINE: "agent1",
    roles.ROOM_MANAGER: "room1",
    roles.CENTER_MANAGER: "center1",
    roles.LEADERSHIP: "leader1",
    "Admin": "admin",
}
# Doors that need no permission by design: signing in and out, the language, static files.
PUBLIC = {
    "static",
    "appbuilder.static",
    "HomeView.index",
    "UtilView.back",
    "LocaleView.index",
    "SecurityApi.login",
    "SecurityApi.refresh",
    "AuthDBView.login",
    "AuthDBView.logout",
}
# Row-level rules hold for these models (their ``visible_to`` is not "everyone").
ROW_MODELS = (Complaint, RefundRequest, Appraisal, Alert)
# Values for the URL arguments that do not name a row.
ARGUMENTS = {
    "version": "v1",
    "filename": "export.csv",
    "group_by": "0",
    "locale": "en",
    "action": "dispatch",
    "kind": "complaint",
    "owner_id": 1,
    "job_id": "x",
}
# Arguments naming something of the user's own that is no table row (an import job): granted,
# an unknown one (or another user's) is a 404.
OWN_ONLY_ARGUMENTS = {"job_id"}
# What a read needs besides the route's own arguments to be an ordinary request.
QUERIES = {
    "ComplaintApi.search": {"text": "信号差"},
}
# What the SPEC's role table (README "Roles", SPEC §2) rules out, whatever is declared.
SPEC_FORBIDS = {
    # Admin configures; it handles no complaint, refund, alert or incident.
    "Admin": {security.COMPLAINT, security.REFUND, security.REFUND_INBOX, security.INCIDENT, security.ALERT},
    # Frontline decides no refund (§2.5) and reads no audit log or outbox (§7, §8).
    roles.FRONTLINE: {security.REFUND_INBOX, security.AUDIT, security.OUTBOX, security.STAFF},
    roles.ROOM_MANAGER: {security.AUDIT, security.OUTBOX, security.STAFF},
    roles.CENTER_MANAGER: {security.AUDIT, security.OUTBOX, security.STAFF},
    roles.LEADERSHIP: {security.STAFF},
}
WRITES = {"can_add", "can_edit", "can_delete"}
ADMIN_WRITES_ONLY = {security.DEPARTMENT, security.CATEGORY, security.REFUND_TYPE, security.TEAM, security.STAFF}


# -- the routes, from the app -----------------------------------------------------------


class Route:
    def __init__(self, rule, view):
        self.rule = rule
        self.endpoint = rule.endpoint
        self.view = view
        self.method_name = rule.endpoint.split(".", 1)[1] if view is not None else None
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        self.method = "GET" if "GET" in methods else methods[0]
        self.api = rule.rule.startswith("/api/")
        self.fab_action = self.method_name in ("action", "action_post")
        self.has_pk = "pk" in rule.arguments

    @property
    def resource(self) -> str:
        return self.view.class_permission_name

    @property
    def permission(self) -> str | None:
        """The permission the route checks, as its view declares it."""
        function = getattr(type(self.view), self.method_name, None)
        name = getattr(function, "_permission_name", None)
        if name is None:
            return None
        return "can_" + ((self.view.method_permission_name or {}).get(self.method_name) or name)

    @property
    def model(self):
        datamodel = getattr(self.view, "datamodel", None)
        return datamodel.obj if datamodel is not None else None

    @property
    def row_filtered(self) -> bool:
        return bool(getattr(self.view, "base_filters", None))

    def url(self, pk=None, **arguments) -> str:
        values = {name: ARGUMENTS.get(name, "x") for name in self.rule.arguments}
        if self.endpoint.startswith("IncidentView.") or self.endpoint.startswith("HandlingGroupView."):
            values["action"] = "report" if self.endpoint.startswith("Incident") else "notice"
        if self.has_pk:
            values["pk"] = pk
        values.update(arguments)
        return self.rule.build(values, append_unknown=False)[1]

    def __repr__(self):
        return self.endpoint


def routes(app) -> list[Route]:
    views = {view.blueprint.name: view for view in appbuilder.baseviews if getattr(view, "blueprint", None)}
    found = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".", 1)[0] if "." in rule.endpoint else None
        found.append(Route(rule, views.get(blueprint)))
    return found


def granted(role: str, route: Route, permission: str | None = None) -> bool:
    """What app/security.py declares: the role's grants, Admin everything but complaint work."""
    permission = permission or route.permission
    if permission not in (route.view.base_permissions or ()):
        return False  # Flask-AppBuilder refuses a permission its view does not list, to everyone
    if role == "Admin":
        return route.resource not in security.WORK_VIEWS
    return (route.resource, permission) in set(security.ROLE_PERMISSIONS[role])


# -- the rows -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clients(app):
    return {role: Client(app, username).login() for role, username in USERS.items()}


@pytest.fixture(scope="module")
def rows(app, clients):
    """Rows of two departments, kept for the whole module: the hotline's (CSC-HOT-A) and
    a service hall's (BR-GC-H1), each with refunds, an alert, an incident and a criticism."""
    from app.appraisals import draft_criticism
    from tests.conftest import _max_ids

    agent, hall = Client(app, "agent1").login(), Client(app, "hall1").login()
    made = {}
    for name, client in (("hotline", agent), ("hall", hall)):
        ids = []
        # Same content: the hotline's 3rd and the hall's 2nd raise an alert and open an incident.
        for _ in range(3 if name == "hotline" else 2):
            response = client.post("/api/v1/complaint/", json=complaint_body(app, topic=f"矩阵 {name}"))
            assert response.status_code == 201, response.get_json()
            ids.append(response.get_json()["id"])
        made[name] = ids
        refund = client.post(
            "/api/v1/refund/",
            json={"complaint": ids[0], "amount": "300.00", "refund_type": 1, "liability": "yes", "note": "矩阵"},
        )
        assert refund.status_code == 201, refund.get_json()
    with app.app_context():
        for name, code in (("hotline", "CSC-HOT-A"), ("hall", "BR-GC-H1")):
            department = db.session.scalar(select(Department).where(Department.code == code))
            draft_criticism(department, db.session.get(Complaint, made[name][0]), "矩阵", clock.now())
        db.session.commit()
        saved = app.config["BASELINE_IDS"]
        app.config["BASELINE_IDS"] = _max_ids(db)  # kept by each test's clean-up until the module ends
        db.session.remove()
    yield made
    with app.app_context():
        app.config["BASELINE_IDS"] = saved
        remove_rows_above(saved)


def viewer_of(username):
    return security.viewer_for(db.session.scalar(select(User).where(User.username == username)))


def row_ids(app, username) -> dict:
    """Per model: (a row the user may see, a row the user may not see), as ``visible_to`` says."""
    with app.app_context():
        viewer = viewer_of(username)
        found = {}
        for model in ROW_MODELS:
            rule = model.visible_to(viewer)
            visible = db.session.scalar(select(model.id).where(rule).order_by(model.id))
            # Not "~rule": NULL columns would make the negation unknown and hide rows from it.
            shown = select(model.id).where(rule)
            hidden = db.session.scalar(select(model.id).where(model.id.not_in(shown)).order_by(model.id))
            found[model] = (visible, hidden)
        for model in {route.model for route in routes(app) if route.model is not None} - set(ROW_MODELS):
            found[model] = (db.session.scalar(select(model.id).order_by(model.id)), None)
        db.session.remove()
        return found


def fingerprint(app) -> str:
    """Every row of every table but the users' (sign-ins change those), hashed."""
    digest = hashlib.sha256()
    with app.app_context():
        connection = db.session.connection()
        for table in Model.metadata.sorted_tables:
            if table.name == "ab_user":
                continue
            order = [column for column in table.primary_key.columns] or list(table.columns)
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
        db.session.remove()
    return digest.hexdigest()


class Answer:
    def __init__(self, status_code):
        self.status_code = status_code


def call(client, route: Route, url: str, **kwargs):
    """The route's answer; an exception the app let through counts as the 500 it would be."""
    if route.endpoint in QUERIES:
        kwargs.setdefault("query_string", QUERIES[route.endpoint])
    try:
        if route.api:
            body = {"json": {}} if route.method in ("POST", "PUT") else {}
            return client._call(route.method, url, **body, **kwargs)
        data = {"data": {}} if route.method == "POST" else {}
        return client.web.open(url, method=route.method, **data, **kwargs)
    except Exception:
        return Answer(500)


# -- the declarations -----------------------------------------------------------------


def test_every_route_is_covered_by_a_declaration(app):
    """A new view or API without entries in app/security.py fails here, not in production."""
    problems = []
    with app.app_context():
        for route in routes(app):
            if route.endpoint in PUBLIC:
                continue
            if route.view is None:
                problems.append(f"{route.endpoint}: no view behind {route.rule.rule}")
            elif route.fab_action:
                for action in route.view.actions.values():
                    if action.name not in route.view.base_permissions:
                        problems.append(f"{route.endpoint}: action {action.name} has no permission")
            elif route.permission is None:
                problems.append(f"{route.endpoint}: {route.rule.rule} checks no permission")
            elif route.resource in security.RESOURCE_PERMISSIONS:
                if set(route.view.base_permissions) != set(security.RESOURCE_PERMISSIONS[route.resource]):
                    problems.append(f"{route.endpoint}: base_permissions differ from RESOURCE_PERMISSIONS")
            elif not type(route.view).__module__.startswith("flask_appbuilder."):
                problems.append(f"{route.endpoint}: resource {route.resource} is not in RESOURCE_PERMISSIONS")
        for role, grants in security.ROLE_PERMISSIONS.items():
            for resource, permission in grants:
                if (
                    resource in security.RESOURCE_PERMISSIONS
                    and permission not in security.RESOURCE_PERMISSIONS[resource]
                ):
                    problems.append(f"{role}: grants {resource}.{permission}, which the resource does not have")
    assert problems == []


def test_the_declarations_give_no_role_what_the_spec_does_not(app):
    with app.app_context():
        reachable = defaultdict(set)
        for route in routes(app):
            if route.endpoint in PUBLIC or route.view is None or route.fab_action or route.permission is None:
                continue
            for role in USERS:
                if granted(role, route):
                    reachable[role].add((route.resource, route.permission))
    for role, resources in SPEC_FORBIDS.items():
        assert not {pair for pair in reachable[role] if pair[0] in resources}, role
    for role in USERS:
        writes = {pair for pair in reachable[role] if pair[0] in ADMIN_WRITES_ONLY and pair[1] in WRITES}
        assert bool(writes) is (role == "Admin"), role
    # §2: each role holds every right of the roles below it.
    ladder = [reachable[role] for role in roles.WORKING_ROLES]
    assert all(lower <= higher for lower, higher in pairwise(ladder))
    assert reachable[roles.ROOM_MANAGER] > reachable[roles.FRONTLINE]


# -- the behaviour --------------------------------------------------------------------


@pytest.mark.parametrize("role", list(USERS))
def test_every_route_answers_each_role_as_declared(app, clients, rows, role):
    client = clients[role]
    assert client.token
    ids = row_ids(app, USERS[role])
    if role != roles.LEADERSHIP and role != "Admin":
        # The matrix must have "other department" rows to try, or it proves nothing.
        assert all(ids[model][1] is not None for model in (Complaint, RefundRequest, Appraisal)), ids
    before = fingerprint(app)
    wrong = []
    tried = hidden_tried = 0
    with app.app_context():
        all_routes = routes(app)
    for route in all_routes:
        if route.endpoint in PUBLIC or route.view is None:
            continue
        if route.fab_action:
            # An action the view does not have names nothing: a 404, not FAB's 500.
            unknown = route.url(pk=1, name="x") if "name" in route.rule.arguments else route.url()
            response = client.web.open(unknown, method=route.method, data={"action": "x", "rowid": ["1"]})
            tried += 1
            if response.status_code != 404:
                wrong.append(f"{route.method} {unknown} (unknown action): {response.status_code}, expected 404")
            for action in route.view.actions.values():
                if granted(role, route, action.name):
                    continue  # FAB's own actions for Admin (copy a role, resend a notice): their own tests
                pk = ids.get(route.model, (None, None))[0] or 1
                url = route.url(pk=pk, name=action.name) if "name" in route.rule.arguments else route.url()
                data = {"data": {"action": action.name, "rowid": [pk]}} if route.method == "POST" else {}
                response = client.web.open(url, method=route.method, **data)
                tried += 1
                if response.status_code != 302:
                    wrong.append(f"{route.method} {url}: {response.status_code}, expected a refusal (302)")
            continue
        visible, hidden = ids.get(route.model, (None, None)) if route.model is not None else (None, None)
        if is_disabled_door(route.endpoint, route.rule.arguments):
            url = route.url(pk=visible or 1)
            status = call(client, route, url).status_code
            tried += 1
            if status != 404:
                wrong.append(f"{route.method} {url}: {status}, expected 404 (closed to everyone)")
            continue
        if not granted(role, route):
            url = route.url(pk=visible or hidden or 1)
            status = call(client, route, url).status_code
            tried += 1
            if status != 403:
                wrong.append(f"{route.method} {url}: {status}, expected 403 (not granted)")
            continue
        if route.has_pk and hidden is not None and route.row_filtered:
            url = route.url(pk=hidden)
            status = call(client, route, url).status_code
            tried += 1
            hidden_tried += 1
            if status != 404:
                wrong.append(f"{route.method} {url}: {status}, expected 404 (another department's row)")
        if route.method != "GET" or route.method_name == "delete" or (route.has_pk and visible is None):
            continue
        if route.has_pk and len(route.view.base_filters or ()) > 1:
            continue  # a narrower list (mine, my department's, overdue): the row may rightly be elsewhere
        if OWN_ONLY_ARGUMENTS & set(route.rule.arguments):
            url = route.url()
            status = call(client, route, url).status_code
            tried += 1
            if status != 404:
                wrong.append(f"{route.method} {url}: {status}, expected 404 (not the user's own)")
            continue
        url = route.url(pk=visible)
        response = call(client, route, url)
        tried += 1
        if response.status_code != 200:
            wrong.append(f"{route.method} {url}: {response.status_code}, expected 200 (granted)")
    assert wrong == [], "\n".join(wrong)
    assert tried > 100
    # Shows, edits, actions and API reads of other departments' rows were tried.
    assert hidden_tried >= (20 if role in (roles.FRONTLINE, roles.ROOM_MANAGER, roles.CENTER_MANAGER) else 0)
    assert fingerprint(app) == before, "a refused request changed something"


# -- filters and exports --------------------------------------------------------------


def _filter_values(app, route: Route, hidden: int) -> dict:
    """``_flt_`` arguments that name the hidden row by each searchable column."""
    with app.app_context():
        row = db.session.get(route.model, hidden)
        arguments = {"_flt_0_id": str(hidden)}
        # The id and every related row (department, receiver, complaint …): the filters that
        # could name another department's rows. Text and times AND with the row rules alike.
        for column in [column for column in route.view.search_columns if route.view.datamodel.is_relation(column)]:
            value = getattr(row, column, None)
            value = getattr(value, "id", value)
            if value is not None and not isinstance(value, list | bool):
                arguments[f"_flt_0_{column}"] = str(value.isoformat() if hasattr(value, "isoformat") else value)
        db.session.remove()
    return arguments


@pytest.mark.parametrize("role", [roles.FRONTLINE, roles.ROOM_MANAGER, roles.CENTER_MANAGER])
def test_list_filters_and_exports_never_widen_what_a_role_sees(app, clients, rows, role):
    client = clients[role]
    ids = row_ids(app, USERS[role])
    with app.app_context():
        lists = [
            route
            for route in routes(app)
            if route.model in ROW_MODELS
            and route.method_name in ("list", "export", "get_list")
            and granted(role, route)
        ]
        numbers = {
            complaint_id: number for complaint_id, number in db.session.execute(select(Complaint.id, Complaint.number))
        }
        db.session.remove()
    assert {route.endpoint for route in lists} >= {
        "ComplaintView.list",
        "ComplaintView.export",
        "ComplaintApi.get_list",
    }
    wrong = []
    for route in lists:
        hidden = ids[route.model][1]
        if hidden is None:
            continue
        if route.api:
            related = [column for column in route.view.search_columns if route.view.datamodel.is_relation(column)]
            for column in ["id", *related]:
                with app.app_context():
                    row = db.session.get(route.model, hidden)
                    value = getattr(getattr(row, column, None), "id", getattr(row, column, None))
                    db.session.remove()
                if value is None or isinstance(value, list | bool) or hasattr(value, "isoformat"):
                    continue
                value = f"'{value}'" if isinstance(value, str) else str(value)
                opr = "rel_o_m" if route.view.datamodel.is_relation(column) else "eq"
                q = f"(filters:!((col:{column},opr:{opr},value:{value})))"
                response = client.get(route.url(), query_string={"q": q})
                if response.status_code == 200 and hidden in response.get_json().get("ids", []):
                    wrong.append(f"{route.endpoint} q={q} shows row {hidden}")
                elif response.status_code not in (200, 400):
                    wrong.append(f"{route.endpoint} q={q}: {response.status_code}")
            continue
        for name, value in _filter_values(app, route, hidden).items():
            response = client.web.get(route.url(), query_string={name: value})
            if response.status_code != 200:
                wrong.append(f"{route.endpoint} {name}={value}: {response.status_code}")
            elif route.method_name == "export":
                sheet = load_workbook(io.BytesIO(response.data)).active
                cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
                if numbers.get(hidden) in cells:
                    wrong.append(f"{route.endpoint} {name}={value} exports {numbers[hidden]}")
            elif re.search(rf"/show/{hidden}[\"'?]", response.get_data(as_text=True)):
                wrong.append(f"{route.endpoint} {name}={value} lists row {hidden}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", [roles.FRONTLINE, roles.ROOM_MANAGER, roles.CENTER_MANAGER])
def test_an_export_holds_exactly_the_complaints_the_role_may_see(app, clients, rows, role):
    response = clients[role].web.get("/complaints/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
    with app.app_context():
        viewer = viewer_of(USERS[role])
        everything = dict(db.session.execute(select(Complaint.number, Complaint.visible_to(viewer))).all())
        db.session.remove()
    exported = {number for number in everything if number in cells}
    assert exported == {number for number, visible in everything.items() if visible}
    assert exported != set(everything)  # another department's complaints exist and stay out


def test_no_route_is_left_out_of_the_matrix(app):
    """The public doors are few and FAB's own: anything else is in the matrix above."""
    with app.app_context():
        public = {route.endpoint for route in routes(app) if route.endpoint in PUBLIC}
        assert public == PUBLIC
        unprotected = [
            route.endpoint
            for route in routes(app)
            if route.endpoint not in PUBLIC
            and route.view is not None
            and not route.fab_action
            and route.permission is None
        ]
    assert unprotected == []


# -- related rows: the API's _info, form drop-downs, search filters ----------------------


def _visible_ids(app, username, model) -> set[int]:
    with app.app_context():
        ids = set(db.session.scalars(select(model.id).where(visible_rule(model, viewer_of(username)))))
        db.session.remove()
    return ids


@pytest.mark.parametrize("role", list(USERS))
def test_info_offers_what_a_client_may_write_and_only_visible_related_rows(app, clients, rows, role):
    """Every ``_info`` the role may read: its add and edit fields are the resource's writable
    fields (no child tables such as a complaint's refunds), and a related field lists a page of
    the rows the role may see, whatever page size is asked for."""
    client = clients[role]
    wrong = []
    with app.app_context():
        infos = [route for route in routes(app) if route.api and route.method_name == "info" and granted(role, route)]
    assert len(infos) >= 4, infos
    for route in infos:
        schema = getattr(route.view, "input_schema", None)
        writable = {field.data_key or name: field for name, field in schema.fields.items()} if schema else {}
        described = client.get(route.url()).get_json()
        for key in ("add_columns", "edit_columns"):
            for field in described.get(key, []):
                name = field["name"]
                if name not in writable:
                    wrong.append(f"{route.endpoint} {key} offers {name}, which a client cannot write")
                    continue
                if "values" not in field:
                    continue
                q = f"({key}:({name}:(page:0,page_size:1000)),keys:!({key}))"
                answer = client.get(route.url(), query_string={"q": q})
                values = next(item for item in answer.get_json()[key] if item["name"] == name)["values"]
                shown = {value["id"] for value in values}
                hidden = shown - _visible_ids(app, USERS[role], writable[name].model)
                if hidden:
                    wrong.append(f"{route.endpoint} {key}.{name} lists rows {sorted(hidden)} the role may not see")
                if len(values) > app.config["FAB_API_MAX_PAGE_SIZE"]:
                    wrong.append(f"{route.endpoint} {key}.{name} lists {len(values)} rows in one page")
    assert wrong == [], "\n".join(wrong)


def test_every_form_and_filter_offers_rows_with_row_rights_through_the_paged_choice(app):
    """A related column whose model has ``visible_to`` is, in every add, edit and search form of
    every view, a RelatedRowField: the user's own rows, asked for a page at a time. FAB's own
    drop-down would write every row of the table into the page."""
    from wtforms.fields.core import UnboundField

    from app.views.related import RelatedRowField

    wrong = []
    checked = 0
    with app.app_context():
        for view in appbuilder.baseviews:
            datamodel = getattr(view, "datamodel", None)
            for kind in ("add_form", "edit_form", "search_form"):
                form = getattr(view, kind, None)
                if datamodel is None or form is None:
                    continue
                for name in dir(form):
                    unbound = getattr(form, name, None)
                    if not isinstance(unbound, UnboundField) or not datamodel.is_relation(name):
                        continue
                    if not has_row_rights(datamodel.get_related_model(name)):
                        continue
                    checked += 1
                    if not issubclass(unbound.field_class, RelatedRowField):
                        wrong.append(f"{type(view).__name__}.{kind}.{name}: {unbound.field_class.__name__}")
    assert checked >= 5
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", [roles.FRONTLINE, roles.ROOM_MANAGER, roles.CENTER_MANAGER, roles.LEADERSHIP])
def test_the_choices_of_every_drop_down_are_the_roles_own_a_page_at_a_time(app, clients, rows, role):
    from app.views.related import PAGE_SIZE

    client = clients[role]
    ids = row_ids(app, USERS[role])
    with app.app_context():
        doors = [route for route in routes(app) if route.method_name == "choices" and granted(role, route)]
        hidden_number = db.session.scalar(select(Complaint.number).where(Complaint.id == ids[Complaint][1]))
        db.session.remove()
    assert {"ComplaintView.choices", "IncidentView.choices"} <= {route.endpoint for route in doors}
    wrong = []
    for route in doors:
        visible = _visible_ids(app, USERS[role], route.model)
        shown = set()
        for page in range(1, 50):
            body = client.web.get(route.url(), query_string={"page": str(page)}).get_json()
            if len(body["results"]) > PAGE_SIZE:
                wrong.append(f"{route.endpoint} page {page}: {len(body['results'])} rows")
            shown |= {row["id"] for row in body["results"]}
            if not body["pagination"]["more"]:
                break
        if shown - visible:
            wrong.append(f"{route.endpoint} offers rows {sorted(shown - visible)} the role may not see")
        if route.model is Complaint and hidden_number:
            found = client.web.get(route.url(), query_string={"q": hidden_number}).get_json()["results"]
            if found:
                wrong.append(f"{route.endpoint} finds {hidden_number} of another department")
    assert wrong == [], "\n".join(wrong)


# -- real writes on other departments' rows --------------------------------------------


def _writes_on(app, complaint_id: int, refund_id: int) -> list[tuple[str, str, dict]]:
    """Writes a member of staff could well send, aimed at rows of another department."""
    from tests.test_views_complaint import form_data

    net = str(db.session.scalar(select(Department.id).where(Department.code == "NET")))
    edited = {**form_data(app), "summary": "改写别人的投诉"}
    return [
        ("api", f"/api/v1/complaint/{complaint_id}", {"method": "PUT", "json": {"summary": "改写别人的投诉"}}),
        ("api", f"/api/v1/complaint/{complaint_id}/dispatch", {"method": "POST", "json": {"department": int(net)}}),
        ("api", f"/api/v1/complaint/{complaint_id}/resolve", {"method": "POST", "json": {"text": "结案"}}),
        ("api", f"/api/v1/refund/{refund_id}/decide", {"method": "POST", "json": {"decision": "approve"}}),
        ("web", f"/complaints/edit/{complaint_id}", {"method": "POST", "data": edited}),
        ("web", f"/complaints/act/{complaint_id}/dispatch", {"method": "POST", "data": {"department": net}}),
        ("web", f"/complaints/act/{complaint_id}/resolve", {"method": "POST", "data": {"text": "结案"}}),
        ("web", f"/refund-inbox/decide/{refund_id}", {"method": "POST", "data": {"decision": "approve"}}),
    ]


@pytest.mark.parametrize("role", [roles.FRONTLINE, roles.ROOM_MANAGER, roles.CENTER_MANAGER])
def test_a_well_formed_write_to_another_departments_row_changes_nothing(app, clients, rows, role):
    client = clients[role]
    ids = row_ids(app, USERS[role])
    complaint_id, refund_id = ids[Complaint][1], ids[RefundRequest][1]
    with app.app_context():
        writes = _writes_on(app, complaint_id, refund_id)
        db.session.remove()
    before = fingerprint(app)
    for side, url, request in writes:
        if side == "api":
            status = client._call(request.pop("method"), url, **request).status_code
        else:
            status = client.web.open(url, **request).status_code
        assert status in (403, 404), f"{role} {url}: {status}"
    assert fingerprint(app) == before


def test_nobody_signed_out_reaches_any_route_but_the_public_ones(app):
    """Without a session or token: the pages send people to sign in, the API answers 401."""
    anonymous = app.test_client()
    wrong = []
    with app.app_context():
        all_routes = routes(app)
    for route in all_routes:
        if route.endpoint in PUBLIC or route.view is None:
            continue
        url = route.url(pk=1, name="x") if "name" in route.rule.arguments else route.url(pk=1)
        try:
            response = anonymous.open(url, method=route.method, **({"json": {}} if route.api else {}))
        except Exception:
            wrong.append(f"{route.method} {url}: 500")
            continue
        if route.api:
            if response.status_code != 401:
                wrong.append(f"{route.method} {url}: {response.status_code}, expected 401")
        elif is_disabled_door(route.endpoint, route.rule.arguments):
            if response.status_code != 404:
                wrong.append(f"{route.method} {url}: {response.status_code}, expected 404 (closed to everyone)")
        elif route.fab_action:  # an unknown action is a 404; a known one refused with a redirect
            if response.status_code not in (302, 404):
                wrong.append(f"{route.method} {url}: {response.status_code}")
        elif response.status_code != 302 or "/login/" not in response.headers["Location"]:
            wrong.append(f"{route.method} {url}: {response.status_code} {response.headers.get('Location')}")
    assert wrong == [], "\n".join(wrong)
