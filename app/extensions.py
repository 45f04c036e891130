"""The process-wide singletons, bound to the app in ``create_app``."""

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate

db = SQLA()
appbuilder = AppBuilder(update_perms=False)
mail = Mail()
migrate = Migrate(render_as_batch=True, compare_type=True)
