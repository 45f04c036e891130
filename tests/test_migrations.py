"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

from app import create_app
from app.extensions import db
from app.setup import upgrade_schema
from config import TestConfig
from tests.helpers import sibling_database


def test_a_fresh_database_migrated_to_head_matches_the_models(tmp_path):
    # SQLite by default; on PostgreSQL when the suite runs there.
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=sibling_database(tmp_path, "migrations", fresh=True))
    with app.app_context():
        upgrade_schema()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Model.metadata)
        db.engine.dispose()
    assert differences == []
