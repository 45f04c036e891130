"""The search index over complaints' topic and summary (Chinese substrings).

PostgreSQL: ``pg_trgm`` GIN indexes, which serve ``ILIKE '%…%'`` for any
substring of 3 characters or more. SQLite: an FTS5 table with the trigram
tokenizer over the complaint table's text, kept in step by triggers. Neither
is a model: they are created beside the ``complaint`` table (here for
``create_all``, in the migration for deployed databases) and left out of the
schema comparison by ``include_name``.
"""

from sqlalchemy import event, text

from app.models.complaint import Complaint

FTS_TABLE = "complaint_search"
TRIGRAM_INDEXES = ("ix_complaint_topic_trgm", "ix_complaint_summary_trgm")

POSTGRESQL_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_complaint_topic_trgm ON complaint USING gin (topic gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_complaint_summary_trgm ON complaint USING gin (summary gin_trgm_ops)",
)
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "topic, summary, content='complaint', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON complaint BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, topic, summary) VALUES (new.id, new.topic, new.summary); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON complaint BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, topic, summary) "
    "VALUES ('delete', old.id, old.topic, old.summary); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF topic, summary ON complaint BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, topic, summary) "
    "VALUES ('delete', old.id, old.topic, old.summary); "
    f"INSERT INTO {FTS_TABLE}(rowid, topic, summary) VALUES (new.id, new.topic, new.summary); END",
    # Rows already in the table (a migrated database) join the index.
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
# Dropping the FTS table drops its shadow tables; the triggers go with the complaint table.
SQLITE_DROP = (f"DROP TABLE IF EXISTS {FTS_TABLE}",)


def create(connection) -> None:
    statements = POSTGRESQL_CREATE if connection.dialect.name == "postgresql" else SQLITE_CREATE
    for statement in statements:
        connection.execute(text(statement))


def drop(connection) -> None:
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            connection.execute(text(statement))


def include_name(name, type_, parent_names) -> bool:
    """Alembic's filter: the search index is not part of the models' schema."""
    if type_ == "table":
        return not (name == FTS_TABLE or name.startswith(f"{FTS_TABLE}_"))
    if type_ == "index":
        return name not in TRIGRAM_INDEXES
    return True


@event.listens_for(Complaint.__table__, "after_create")
def _create(target, connection, **kw) -> None:
    create(connection)


@event.listens_for(Complaint.__table__, "before_drop")
def _drop(target, connection, **kw) -> None:
    drop(connection)
