"""Same content ignores white space and punctuation: the stored signatures recomputed

Revision ID: b7e3f9a2c604
Revises: a1c5d0e7f210
Create Date: 2026-12-02 10:30:00.000000

The signature (app.policy.fast) now leaves out white space, punctuation and invisible
characters anywhere in the topic. Complaints and incidents are read in id order, a batch
at a time, and only the rows whose signature changes are written. An open incident whose
new signature another open incident already holds keeps its old one (one open incident
per content): later complaints join the first.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3f9a2c604'
down_revision = 'a1c5d0e7f210'
branch_labels = None
depends_on = None

BATCH = 5000


def _signature(category_id, topic):
    # The rule as of this revision (app.policy.fast.signature), frozen here.
    text = unicodedata.normalize("NFKC", topic or "").casefold()
    kept = "".join(char for char in text if not unicodedata.category(char).startswith(("Z", "P", "C")))
    return f"{category_id}:{kept}"


def _recompute(connection, table, read, signature_of, skip=lambda row, new: False):
    rows_table = sa.table(table, sa.column("id"), sa.column("signature"))
    update = (
        rows_table.update()
        .where(rows_table.c.id == sa.bindparam("row_id"))
        .values(signature=sa.bindparam("new_signature"))
    )
    last = 0
    while True:
        rows = connection.execute(sa.text(read), {"last": last, "batch": BATCH}).all()
        if not rows:
            return
        changed = []
        for row in rows:
            new = signature_of(row)
            if new != row.signature and not skip(row, new):
                changed.append({"row_id": row.id, "new_signature": new})
        if changed:
            connection.execute(update, changed)
        last = rows[-1].id


def upgrade():
    connection = op.get_bind()
    _recompute(
        connection,
        "complaint",
        "SELECT id, category_id, topic, signature FROM complaint WHERE id > :last ORDER BY id LIMIT :batch",
        lambda row: _signature(row.category_id, row.topic),
    )
    taken = {
        signature
        for (signature,) in connection.execute(sa.text("SELECT signature FROM incident WHERE status != 'resolved'"))
    }

    def collides(row, new):
        if row.status == "resolved":
            return False
        if new in taken:
            return True
        taken.add(new)
        return False

    # An incident's signature is its complaints' (category:topic), so the category is the prefix.
    _recompute(
        connection,
        "incident",
        "SELECT id, status, signature FROM incident WHERE id > :last ORDER BY id LIMIT :batch",
        lambda row: _signature(*row.signature.split(":", 1)),
        collides,
    )


def downgrade():
    # The complaints' topics give the earlier signature back; an incident's cannot be recovered
    # from its new signature, so an open incident matches no new complaint until it is resolved.
    connection = op.get_bind()

    def earlier(row):
        text = " ".join(unicodedata.normalize("NFKC", row.topic or "").strip().casefold().split())
        return f"{row.category_id}:{text}"

    _recompute(
        connection,
        "complaint",
        "SELECT id, category_id, topic, signature FROM complaint WHERE id > :last ORDER BY id LIMIT :batch",
        earlier,
    )
