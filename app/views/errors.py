"""Error pages in the app's own layout and language; JSON for the REST API."""

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

# What a person is told, by status; a 400 of the app keeps its own message.
MESSAGES = {
    400: (_("Bad request"), _("The request could not be understood.")),
    403: (_("Access denied"), _("You do not have the right to open this page.")),
    404: (_("Page not found"), _("There is no such page, or it is not among yours.")),
    405: (_("Not allowed"), _("This page cannot be used this way.")),
}


def _message(error: HTTPException, default) -> str:
    """The app's own reason where it gave one (abort(400, reason)), else the status's own text."""
    own = error.description if error.description != type(error).description else None
    return str(own or default)


def error_page(error: HTTPException):
    title, default = MESSAGES[error.code]
    message = _message(error, default)
    if request.path.startswith("/api/"):
        response = jsonify(message=message)
        response.status_code = error.code
        return response
    if "user" not in g:  # refused before Flask-AppBuilder's own hook ran; its menu needs the user
        g.user = current_user
    appbuilder = current_app.appbuilder
    page = render_template(
        "errors/error.html",
        base_template=appbuilder.base_template,
        appbuilder=appbuilder,
        code=error.code,
        title=title,
        message=message,
    )
    return page, error.code


def register_error_pages(app) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, error_page)
