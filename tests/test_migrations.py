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


def test_the_stored_signatures_are_recomputed_when_the_rule_changes(tmp_path):
    """b7e3f9a2c604: a topic stored with a space or punctuation gets the signature of its content."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app import clock
    from app.demo import seed
    from app.models import Category, Complaint, Incident
    from app.policy.fast import signature
    from app.setup import sync_permissions

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=sibling_database(tmp_path, "signatures", fresh=True))
    with app.app_context():
        upgrade_schema()
        sync_permissions()
        seed()
        category = db.session.query(Category).filter_by(code="network_coverage").one()
        agent = appbuilder_user("agent1")
        spaced = Complaint(
            channel="hotline_10086",
            category=category,
            topic="长安镇 4G信号中断。",
            summary="整片无信号",
            customer_phone="13800138000",
            customer_value="normal",
            cause="unknown",
            severity="normal",
            receiver_id=agent.id,
            receiving_department_id=agent.profile.department_id,
            received_at=clock.now(),
        )
        db.session.add(spaced)
        db.session.commit()
        db.session.execute(text("UPDATE complaint SET signature = :old"), {"old": f"{category.id}:长安镇 4g信号中断。"})
        old = f"{category.id}:长安镇 4g信号中断。"
        db.session.add(
            Incident(signature=old, rule="manual", topic="长安镇 4G信号中断。", discovered_at=clock.now(), volume=1)
        )
        db.session.commit()
        downgrade(revision="a1c5d0e7f210")
        upgrade()
        expected = signature(category.id, "长安镇4G信号中断")
        assert db.session.query(Complaint.signature).scalar() == expected
        assert db.session.query(Incident.signature).scalar() == expected
        db.session.remove()
        db.engine.dispose()


def appbuilder_user(username):
    from app.extensions import appbuilder

    return appbuilder.sm.find_user(username=username)
