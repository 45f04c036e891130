"""Notices are rendered by the worker: the outbox keeps the template's values

Revision ID: f4a7c3e9d512
Revises: c2d8e4b1a957
Create Date: 2026-12-03 10:00:00.000000

A notice stores the plain values its template reads (``context``, JSON); its subject and body
are written when a worker first takes it, so they are empty until then. Notices already in the
outbox keep the text they were written with.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4a7c3e9d512'
down_revision = 'c2d8e4b1a957'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.alter_column('subject', existing_type=sa.String(length=255), nullable=True)
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)


def downgrade():
    # A notice not yet rendered has no text to keep: it reads as empty.
    op.execute("UPDATE outbox SET subject = '', body = '' WHERE body IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('context')
