"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

from app import create_app
from app.extensions import db
from app.models.search import include_name
from app.setup import upgrade_schema
from config import TestConfig
from tests.helpers import sibling_database


def test_a_fresh_database_migrated_to_head_matches_the_models(tmp_path):
    # SQLite by default; on PostgreSQL when the suite runs there.
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=sibling_database(tmp_path, "migrations", fresh=True))
    with app.app_context():
        upgrade_schema()
        with db.engine.connect() as connection:
            # The search index (FTS5 table and triggers, trigram indexes) is no model: left out, by name.
            opts = {"compare_type": True, "include_name": include_name}
            context = MigrationContext.configure(connection, opts=opts)
            differences = compare_metadata(context, Model.metadata)
        db.engine.dispose()
    assert differences == []


def test_the_migrations_build_the_search_index(tmp_path):
    from sqlalchemy import inspect

    from app.models.search import FTS_TABLE, TRIGRAM_INDEXES

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=sibling_database(tmp_path, "migrations", fresh=True))
    with app.app_context():
        upgrade_schema()
        inspector = inspect(db.engine)
        if db.engine.dialect.name == "postgresql":
            names = {index["name"] for index in inspector.get_indexes("complaint")}
            assert set(TRIGRAM_INDEXES) <= names
        else:
            assert FTS_TABLE in inspector.get_table_names()
        db.engine.dispose()
