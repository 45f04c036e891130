"""List indexes in the lists' own order; the department queue answered from its index

Revision ID: 7d4e2a9c1b30
Revises: 0bf6d050f60b
Create Date: 2026-11-28 16:20:00.000000

- A list filtered by status shows the newest first (received time, then id): with the id in
  the index, its first page is read in order from the index. Without it, PostgreSQL may walk
  the newest complaints of every status instead (the newest are mostly just received).
- "dispatched to my department" keeps the department's open complaints; the row-level rule
  (Complaint.visible_to) also reads the receiver and the receiving department. Carried in the
  index (INCLUDE, PostgreSQL only), its capped count reads no table page.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d4e2a9c1b30'
down_revision = '0bf6d050f60b'
branch_labels = None
depends_on = None

QUEUE = 'ix_complaint_responsible_status_received'
QUEUE_COLUMNS = ['responsible_department_id', 'status', 'received_at']
BY_STATUS = 'ix_complaint_status_received'


def upgrade():
    op.drop_index(BY_STATUS, table_name='complaint')
    op.create_index(BY_STATUS, 'complaint', ['status', 'received_at', 'id'])
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index(QUEUE, table_name='complaint')
        op.create_index(QUEUE, 'complaint', QUEUE_COLUMNS, postgresql_include=['receiver_id', 'receiving_department_id'])


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index(QUEUE, table_name='complaint')
        op.create_index(QUEUE, 'complaint', QUEUE_COLUMNS)
    op.drop_index(BY_STATUS, table_name='complaint')
    op.create_index(BY_STATUS, 'complaint', ['status', 'received_at'])
