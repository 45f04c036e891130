"""HTTP hardening: security headers, sign-in, and the request arguments the database cannot take.

docs/SECURITY.md explains each choice; the settings live in config.py.
"""

import hashlib
import json
import re
import secrets
import unicodedata
from pathlib import Path

import dateutil.parser
import prison
from flask import abort, current_app, flash, g, jsonify, redirect, request
from flask.json.provider import DefaultJSONProvider
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import lazy_gettext as _
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from app import clock, queue
from app.views.mixins import MAX_ID, is_id

# -- headers -------------------------------------------------------------------------

# Flask-AppBuilder's pages load only their own static files, but put `style="…"`
# attributes in their markup (hidden forms, tab bars, the login box), so style
# attributes stay allowed; <style> elements and every script need 'self' or
# this response's nonce. Browsers without the CSP3 -elem/-attr directives fall
# back to `style-src`.
CONTENT_SECURITY_POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self' {nonce}"),
    ("style-src", "'self' 'unsafe-inline'"),
    ("style-src-elem", "'self' {nonce}"),
    ("style-src-attr", "'unsafe-inline'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)


def csp_nonce() -> str:
    """This response's nonce; Flask-AppBuilder's templates put it on every <script>."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str | None) -> str:
    source = f"'nonce-{nonce}'" if nonce else ""
    return "; ".join(f"{name} {value.format(nonce=source)}".strip() for name, value in CONTENT_SECURITY_POLICY)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    max_age = current_app.config["HSTS_MAX_AGE"]
    if max_age:
        headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    return response


# -- sign-in -------------------------------------------------------------------------


def limiter_storage_uri(app) -> str:
    """The app's Redis (queue.py) in the form Flask-Limiter's storage takes."""
    url = app.config["REDIS_URL"] or f"unix://{Path(app.instance_path) / queue.SOCKET}"
    return "redis+" + url if url.startswith("unix://") else url


def sign_in_failed() -> None:
    """Count this request against the sign-in limit: the name or the password was wrong."""
    g.sign_in_failed = True


def _failed(response) -> bool:
    return g.get("sign_in_failed", False)


def user_name_key() -> str:
    """The user name a sign-in tries, case-folded as Flask-AppBuilder finds users (AUTH_USERNAME_CI),
    hashed: the limiter's keys name no one."""
    body = request.get_json(silent=True) if request.is_json else request.form
    name = body.get("username") if isinstance(body, dict) or body is request.form else None
    folded = unicodedata.normalize("NFKC", name if isinstance(name, str) else "").strip().casefold()
    return "user:" + hashlib.sha256(folded.encode()).hexdigest()


def limit_sign_in(limiter, blueprints, endpoints) -> None:
    """``AUTH_RATE_LIMIT`` failed sign-ins per client address and, apart, per user name, on ``endpoints``
    (the form and the API's token endpoint) together. Only failures count (sign_in_failed), so a
    whole office behind one address signing in at 08:00 is not refused; past the limit every
    attempt is refused, the right password too, until the window passes."""
    limit = current_app.config["AUTH_RATE_LIMIT"]

    def other_endpoint() -> bool:
        return request.endpoint not in endpoints

    for scope, key in (("sign-in-address", get_remote_address), ("sign-in-user", user_name_key)):
        shared = limiter.shared_limit(
            limit, scope=scope, key_func=key, methods=["POST"], deduct_when=_failed, exempt_when=other_endpoint
        )
        for blueprint in blueprints:
            shared(blueprint)


def too_many_attempts(error):
    """The sign-in rate limit: JSON for the API, the sign-in page with a notice for people."""
    message = str(_("Too many sign-in attempts. Wait a minute and try again."))
    if request.path.startswith("/api/"):
        response = jsonify(message=message)
        response.status_code = 429
        return response
    flash(message, "danger")
    return redirect(request.full_path)


def check_password(password: str) -> None:
    """The policy for passwords typed in the forms (FAB_PASSWORD_COMPLEXITY_VALIDATOR)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    kinds = (
        any(char.islower() for char in password),
        any(char.isupper() for char in password),
        any(char.isdigit() for char in password),
        any(not char.isalnum() or not char.isascii() for char in password),  # symbols, and Chinese
    )
    if len(password) < minimum or sum(kinds) < 3:
        message = _(
            "Use at least %(count)s characters, with three of: lower-case letters, capital letters, digits, symbols.",
            count=minimum,
        )
        raise PasswordComplexityValidationError(str(message))


# -- request arguments ----------------------------------------------------------------
# Flask-AppBuilder hands some arguments to the database unchecked, so that a stray
# or hostile value is a 500 where it should be a 400: these hooks refuse them first.

NUL = "\x00"
# Lone UTF-16 halves (JSON's "\\ud800"): no database stores them, no page or mail can encode them.
SURROGATES = re.compile("[\ud800-\udfff]")
# No body the app takes nests deeper than a refund's list of considerations (3): a
# document nested deeper is refused before any view walks it.
MAX_JSON_DEPTH = 20
# Rison arguments (``?q=``) of the REST API.
QUERY_ARGUMENT = "q"
# The list pages' arguments, matched as Flask-AppBuilder matches them: anywhere in the name.
PAGE_ARGUMENT = re.compile("page_|psize_")
PAGE_SIZE_ARGUMENT = re.compile("psize_")
ORDER_ARGUMENT = re.compile("_oc_(.*)")
FILTER_ARGUMENT = re.compile(r"_flt_\d+_(.*)")
WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def _leaves(value):
    """Every key, string and number in a decoded argument or body, however deeply nested."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        else:
            yield value


def _bad_request(message):
    if request.path.startswith("/api/"):
        response = jsonify(message=str(message))
        response.status_code = 400
        return response
    abort(400, str(message))


def _whole_number(value) -> bool:
    if isinstance(value, str):
        value = int(value) if WHOLE_NUMBER.fullmatch(value.strip()) else None
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID - 1 <= value <= MAX_ID


def _storable_time(value) -> bool:
    try:
        moment = dateutil.parser.parse(value)
    except Exception:
        return True  # Flask-AppBuilder drops a time it cannot read
    return clock.EARLIEST.year <= moment.year < clock.LATEST.year


def _filter_value_fits(datamodel, column: str, value, *, blank_id_ok: bool = False) -> bool:
    """Whether a filter's value can be compared with the column: Flask-AppBuilder passes what
    it cannot convert on to the database as it came, a 500 on PostgreSQL. Its list pages
    (``blank_id_ok``) skip a related row left unchosen; its API does not."""
    for item in value if isinstance(value, list) else [value]:
        if datamodel.is_boolean(column):
            fits = isinstance(item, bool) or item == "y"  # what its search form sends
        elif datamodel.is_relation(column) or datamodel.is_integer(column):
            fits = _whole_number(item) or (blank_id_ok and item == "")
        elif datamodel.is_datetime(column) or datamodel.is_date(column):
            fits = not isinstance(item, str) or _storable_time(item)
        elif datamodel.is_string(column) or datamodel.is_text(column):
            fits = isinstance(item, str)  # its "contains" and "starts with" add text to it
        else:
            fits = True
        if not fits:
            return False
    return True


def _datamodel():
    """The model interface of the view or API this request goes to, if any."""
    view = getattr(current_app.view_functions.get(request.endpoint), "__self__", None)
    return getattr(view, "datamodel", None)


class JSONTooDeep(ValueError):
    """A JSON document nested deeper than ``MAX_JSON_DEPTH``."""


def _depth(value) -> int:
    """How deeply ``value`` nests lists and objects, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON with a bound on nesting: Python's decoder gives up at about 1000 levels
    with a RecursionError (a 500 wherever a view reads the body, the sign-in included),
    and every walk of a decoded body would be as deep. Too deep is a ``ValueError``, which
    Flask's ``get_json`` turns into a 400 as for any malformed body."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise JSONTooDeep() from None
        if _depth(value) > MAX_JSON_DEPTH:
            raise JSONTooDeep()
        return value


def refuse_deep_json():
    """A JSON body nested deeper than any the app takes: 400 before a view or the sign-in reads it."""
    if not request.is_json or not request.get_data(cache=True):
        return None
    try:
        request.get_json()
    except BadRequest as error:
        cause = error
        while cause is not None and not isinstance(cause, JSONTooDeep):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            return _bad_request(_("The request body nests deeper than %(count)s levels.", count=MAX_JSON_DEPTH))
        # Other malformed bodies: each view answers them as before.
    return None


def refuse_unstorable_text():
    """Text with the NUL character (PostgreSQL can neither store nor compare it) or a lone
    surrogate (no database, page or mail can encode it): 400, before anything is saved."""
    texts = list(request.args.listvalues())
    if request.is_json:  # a JSON body has no form fields to parse
        texts.append(list(_leaves(request.get_json(silent=True))))
    else:
        texts.extend(request.form.listvalues())
    strings = [text for values in texts for text in values if isinstance(text, str)]
    if any(NUL in text for text in strings):
        return _bad_request(_("Text cannot contain the NUL character."))
    if any(SURROGATES.search(text) for text in strings):
        return _bad_request(_("Text cannot contain a lone surrogate character."))
    return None


def check_query_argument():
    """The API's ``q``: rison its parser fails on, numbers no column holds, pages that are not whole."""
    text = request.args.get(QUERY_ARGUMENT)
    if not text or not request.path.startswith("/api/"):
        return None
    try:
        value = prison.loads(text)
    except prison.decoder.ParserException:
        try:
            value = json.loads(text)  # Flask-AppBuilder takes JSON here too
        except Exception:
            return None  # and refuses what is neither
    except Exception:
        return _bad_request(_("Not a valid query argument q."))
    numbers = [leaf for leaf in _leaves(value) if isinstance(leaf, int | float) and not isinstance(leaf, bool)]
    pages = [value.get(name, 0) for name in ("page", "page_size")] if isinstance(value, dict) else []
    filters = value.get("filters") if isinstance(value, dict) else None
    datamodel = _datamodel()
    if (
        any(not -MAX_ID - 1 <= number <= MAX_ID for number in numbers)
        or any(not isinstance(number, int) or isinstance(number, bool) for number in pages)
        or (pages and pages[0] < 0)
        or (
            isinstance(filters, list)
            and datamodel is not None
            and not all(
                _filter_value_fits(datamodel, item["col"], item["value"])
                for item in filters
                if isinstance(item, dict) and isinstance(item.get("col"), str) and "value" in item
            )
        )
    ):
        return _bad_request(_("Not a valid query argument q."))
    return None


def max_page_size() -> int:
    """The most rows a page shows: the API's cap (``FAB_API_MAX_PAGE_SIZE``, which Flask-AppBuilder
    applies to ``q``'s page size) holds for the list pages too, whose sizes it offers run to 100."""
    return current_app.config["FAB_API_MAX_PAGE_SIZE"]


def check_list_arguments():
    """The list pages' ``page_<View>``, ``psize_<View>`` (whole numbers), ``_oc_<View>`` (a sortable
    column) and ``_flt_<n>_<column>`` (a value the column can be compared with)."""
    views = None
    for name, value in request.args.items(multi=True):
        if PAGE_ARGUMENT.search(name) and not (WHOLE_NUMBER.fullmatch(value) and 0 <= int(value) <= MAX_ID):
            return _bad_request(_("Not a valid page or sort order."))
        if PAGE_SIZE_ARGUMENT.search(name) and not 1 <= int(value) <= max_page_size():
            return _bad_request(_("Show 1 to %(count)s rows per page.", count=max_page_size()))
        match = FILTER_ARGUMENT.fullmatch(name)
        if (
            match
            and (datamodel := _datamodel())
            and not _filter_value_fits(datamodel, match.group(1), value, blank_id_ok=True)
        ):
            return _bad_request(_("Not a valid search value."))
        if match := ORDER_ARGUMENT.search(name):
            if views is None:
                views = {type(view).__name__: view for view in current_app.appbuilder.baseviews}
            view = views.get(match.group(1))
            if view is not None and value not in getattr(view, "order_columns", ()):
                return _bad_request(_("Not a valid page or sort order."))
    return None


def refuse_impossible_ids():
    """A ``pk`` in the URL that no id column holds names no row: 404, before a query fails on it."""
    pk = (request.view_args or {}).get("pk")
    if pk is None or is_id(pk):
        return None
    if request.path.startswith("/api/"):
        return jsonify(message="Not found"), 404
    abort(404)


# Flask-AppBuilder gives every model view a file download (``/…/download/<filename>``)
# that sends any file of UPLOAD_FOLDER. Nothing is uploaded there (attachments have their
# own door with row-level rights, app/attachments.py), so these doors are closed for
# everyone, Admin included: a ``download`` method taking a file name.
DISABLED_VIEW_METHODS = frozenset({"download"})
DISABLED_VIEW_ARGUMENT = "filename"


def is_disabled_door(endpoint: str, arguments) -> bool:
    return endpoint.rpartition(".")[2] in DISABLED_VIEW_METHODS and DISABLED_VIEW_ARGUMENT in arguments


# URL parts Flask-AppBuilder turns into numbers unchecked (the user statistics chart).
NUMBER_ARGUMENTS = ("group_by",)


def refuse_disabled_doors():
    arguments = request.view_args or {}
    if is_disabled_door(request.endpoint or "", arguments):
        abort(404)
    if any(not str(arguments[name]).isdigit() for name in NUMBER_ARGUMENTS if name in arguments):
        abort(404)


def refuse_unknown_actions():
    """Flask-AppBuilder's list and row actions fail with a 500 on an action name the view
    does not have (``/…/action/<name>/<pk>``, ``/…/action_post``): such a name is a 404."""
    blueprint, _dot, method = (request.endpoint or "").rpartition(".")
    if method not in ("action", "action_post"):
        return
    view = next((view for view in current_app.appbuilder.baseviews if view.endpoint == blueprint), None)
    name = (request.view_args or {}).get("name") if method == "action" else request.form.get("action")
    if view is None or name not in (getattr(view, "actions", None) or {}):
        abort(404)


def init_app(app) -> None:
    """Before Flask-AppBuilder starts: it builds its limiter and password forms from these."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", limiter_storage_uri(app))
    seconds = queue.CONNECT_TIMEOUT_SECONDS
    timeouts = {"socket_connect_timeout": seconds, "socket_timeout": seconds}
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", timeouts)
    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", check_password)
    app.json = BoundedJSONProvider(app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # The limit counts per client: behind a proxy, its X-Forwarded-For names the client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.before_request(refuse_disabled_doors)
    app.before_request(refuse_unknown_actions)
    app.before_request(refuse_impossible_ids)
    app.before_request(refuse_deep_json)
    app.before_request(refuse_unstorable_text)
    app.before_request(check_query_argument)
    app.before_request(check_list_arguments)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Forms that post outside WTForms (sign-out, the page actions) carry the CSRF token.
    app.jinja_env.globals.setdefault("csrf_token", generate_csrf)
    app.after_request(add_security_headers)
    app.register_error_handler(429, too_many_attempts)
