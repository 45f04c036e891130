"""Getting a database ready: schema, roles and permissions, once per deploy."""

from flask_appbuilder.security.manager import BaseSecurityManager
from flask_migrate import upgrade
from sqlalchemy import inspect

from app.extensions import appbuilder, db


def upgrade_schema() -> None:
    """Bring the schema to the newest migration (a fresh database gets all of it)."""
    upgrade()


def sync_permissions() -> None:
    """Create the roles and write every view's permissions (FAB_UPDATE_PERMS is off)."""
    BaseSecurityManager.create_db(appbuilder.sm)
    appbuilder.add_permissions(update_perms=True)
    db.session.commit()


def is_initialised() -> bool:
    return inspect(db.engine).has_table("ab_user") and appbuilder.sm.find_role("Admin") is not None
