"""The complaint handling system (投诉处理管理系统)."""

import os

from flask import Flask

from config import BASE_DIR, INSTANCE_DIR, check_secret_key, config_for


def create_app(config: type | None = None, **overrides) -> Flask:
    """Build the app: settings, extensions, views and commands, in one app context."""
    flask_app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    flask_app.config.from_object(config or config_for())
    flask_app.config.update(overrides)
    # A published or missing key lets anyone forge a session or a token: no process starts with one.
    check_secret_key(flask_app.config.get("SECRET_KEY"))
    # Far larger requests are cut off (413) before they are read; a file slightly too large
    # reaches the attachment policy, which says how large one may be.
    from app.policy.attachments import MAX_REQUEST_BYTES

    if flask_app.config.get("MAX_CONTENT_LENGTH") is None:
        flask_app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    os.makedirs(flask_app.instance_path, exist_ok=True)

    from flask_appbuilder import AppBuilder

    from app import cli, csrf, outages, security, sessions, web_performance, web_security
    from app.extensions import db, mail, migrate

    flask_app.config["FAB_ROLES"] = security.ROLE_PERMISSIONS
    # The schema belongs to the migrations; roles are synced by `setup`, not at every start.
    flask_app.config["FAB_CREATE_DB"] = False
    csrf.init_app(flask_app)
    web_security.init_app(flask_app)
    sessions.init_app(flask_app)
    web_performance.init_app(flask_app)
    outages.init_app(flask_app)

    db.init_app(flask_app)
    mail.init_app(flask_app)
    migrate.init_app(flask_app, db, directory=str(BASE_DIR / "migrations"))
    with flask_app.app_context():
        # The order of these imports is the order of the session's listeners that each module
        # registers (SQLAlchemy runs them as registered), then the binding's table after them.
        from app import (
            bulletin,  # noqa: F401  registers the bulletin's workbook as a notice attachment
            documents,  # noqa: F401  registers the PDFs the notices carry
            models,  # noqa: F401  registers the models; the audit log's listeners
            notices,  # noqa: F401  enqueues notices after commit; checks templates
            reference,  # noqa: F401  drops the departments and categories read when they change
        )
        from app.binding import bind
        from app.views import register_views
        from app.views.errors import register_error_pages
        from app.views.formatting import register_template_helpers

        bind()  # every save runs the services, whatever the door (app/binding.py)
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(flask_app, db.session)
        register_views(appbuilder)
        csrf.post_only_changes(flask_app)
        register_template_helpers(flask_app)
        register_error_pages(flask_app)
    cli.register(flask_app)
    return flask_app
