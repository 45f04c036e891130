"""A dispatch's reply is its own timeline step (答复), apart from its acceptance (受理)

Revision ID: a1c5d0e7f210
Revises: 7d4e2a9c1b30
Create Date: 2026-12-02 10:00:00.000000

Until now both were recorded as ``accept``; the second one of a dispatch was its reply,
written at the very time the dispatch records as ``replied_at``. One UPDATE relabels them.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1c5d0e7f210'
down_revision = '7d4e2a9c1b30'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE complaint_event SET action = 'reply' WHERE action = 'accept' AND EXISTS ("
        " SELECT 1 FROM dispatch WHERE dispatch.complaint_id = complaint_event.complaint_id"
        " AND dispatch.replied_at = complaint_event.created_on)"
    )


def downgrade():
    op.execute("UPDATE complaint_event SET action = 'accept' WHERE action = 'reply'")
