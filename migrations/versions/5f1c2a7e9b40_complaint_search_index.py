"""Complaint search: trigram index over topic and summary

Revision ID: 5f1c2a7e9b40
Revises: 2bf90c4fdc28
Create Date: 2026-11-28 13:00:00.000000

PostgreSQL: the pg_trgm extension and GIN trigram indexes. SQLite: an FTS5
table with the trigram tokenizer, kept in step with the complaint table by
triggers. The statements are written out here so that this migration never
changes with the application code.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5f1c2a7e9b40"
down_revision = "2bf90c4fdc28"
branch_labels = None
depends_on = None

POSTGRESQL_UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_complaint_topic_trgm ON complaint USING gin (topic gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_complaint_summary_trgm ON complaint USING gin (summary gin_trgm_ops)",
)
POSTGRESQL_DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_complaint_summary_trgm",
    "DROP INDEX IF EXISTS ix_complaint_topic_trgm",
)
SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS complaint_search USING fts5("
    "topic, summary, content='complaint', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS complaint_search_insert AFTER INSERT ON complaint BEGIN "
    "INSERT INTO complaint_search(rowid, topic, summary) VALUES (new.id, new.topic, new.summary); END",
    "CREATE TRIGGER IF NOT EXISTS complaint_search_delete AFTER DELETE ON complaint BEGIN "
    "INSERT INTO complaint_search(complaint_search, rowid, topic, summary) "
    "VALUES ('delete', old.id, old.topic, old.summary); END",
    "CREATE TRIGGER IF NOT EXISTS complaint_search_update AFTER UPDATE OF topic, summary ON complaint BEGIN "
    "INSERT INTO complaint_search(complaint_search, rowid, topic, summary) "
    "VALUES ('delete', old.id, old.topic, old.summary); "
    "INSERT INTO complaint_search(rowid, topic, summary) VALUES (new.id, new.topic, new.summary); END",
    "INSERT INTO complaint_search(complaint_search) VALUES ('rebuild')",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS complaint_search_update",
    "DROP TRIGGER IF EXISTS complaint_search_delete",
    "DROP TRIGGER IF EXISTS complaint_search_insert",
    "DROP TABLE IF EXISTS complaint_search",
)


def _run(postgresql, sqlite):
    for statement in postgresql if op.get_bind().dialect.name == "postgresql" else sqlite:
        op.execute(statement)


def upgrade():
    _run(POSTGRESQL_UPGRADE, SQLITE_UPGRADE)


def downgrade():
    _run(POSTGRESQL_DOWNGRADE, SQLITE_DOWNGRADE)
