"""Indexes for the lists at scale: dispatched to my department, overdue

Revision ID: 5c1e8a0b7d21
Revises: 5f1c2a7e9b40
Create Date: 2026-11-28 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e8a0b7d21'
down_revision = '5f1c2a7e9b40'
branch_labels = None
depends_on = None

OPEN = "status IN ('received', 'dispatched', 'in_progress', 'replied', 'reopened')"


def upgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(
            'ix_complaint_responsible_status_received',
            ['responsible_department_id', 'status', 'received_at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_complaint_open_resolve_due',
            ['resolve_due'],
            unique=False,
            postgresql_where=sa.text(OPEN),
            sqlite_where=sa.text(OPEN),
        )
    with op.batch_alter_table('dispatch', schema=None) as batch_op:
        batch_op.create_index('ix_dispatch_status_reply_due', ['status', 'reply_due'], unique=False)


def downgrade():
    with op.batch_alter_table('dispatch', schema=None) as batch_op:
        batch_op.drop_index('ix_dispatch_status_reply_due')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_open_resolve_due')
        batch_op.drop_index('ix_complaint_responsible_status_received')
