"""Cross-site request forgery: a change made with the session cookie must carry the page's token.

A browser sends the session cookie with whatever another site makes it send: a form
posted at the app, a link opened. So every POST, PUT, PATCH and DELETE that may be
authenticated by the cookie must carry the token of a page the app served (the form's
``csrf_token`` field, or an ``X-CSRFToken`` header), and nothing deletes on a GET.
A request with a bearer token is not authenticated by the cookie, and no other site
can make a browser add that header: it needs no page token. docs/SECURITY.md explains.
"""

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import BadRequest

csrf = CSRFProtect()

# Flask-AppBuilder's model views change rows through these endpoints, which also answer GET.
CHANGING_ENDPOINTS = ("delete", "action")

REFUSED = _(
    "This request did not carry the security token of a page of this system, or the token is "
    "out of date, so nothing was changed. Reload the page and try again."
)


def _cookie_sent() -> bool:
    config = current_app.config
    names = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in names)


def needs_token() -> bool:
    """Whether this request could change something on the strength of the session cookie."""
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return False
    scheme, _space, _credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return False
    # The API answers a request without a cookie or a token with 401: nothing to forge.
    return _cookie_sent() or not request.path.startswith("/api/")


def check_token() -> None:
    if current_app.config["WTF_CSRF_ENABLED"] and needs_token():
        csrf.protect()


def refused(error: CSRFError):
    """A readable 400: JSON for the API, the app's error page for people."""
    if request.path.startswith("/api/"):
        response = jsonify(message=str(REFUSED))
        response.status_code = 400
        return response
    from app.views.errors import error_page

    return error_page(BadRequest(str(REFUSED)))


def post_only_changes(app) -> None:
    """Flask-AppBuilder's delete and row actions answer GET too: make them POST only, so a
    link another site opens is a 405 and changes nothing (its list and show pages post them)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.rpartition(".")[2] in CHANGING_ENDPOINTS and "POST" in (rule.methods or ()):
            rule.methods.difference_update({"GET", "HEAD"})


def init_app(app) -> None:
    # The check runs first, before any other hook reads the request or the user, and
    # decides for itself which requests need a token (Flask-WTF's own check is off).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request_funcs.setdefault(None, []).insert(0, check_token)
    app.register_error_handler(CSRFError, refused)
