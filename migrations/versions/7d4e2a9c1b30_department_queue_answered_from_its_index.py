"""The department queue answered from its index: the row-level columns carried in it (PostgreSQL)

Revision ID: 7d4e2a9c1b30
Revises: 0bf6d050f60b
Create Date: 2026-11-28 16:20:00.000000

"dispatched to my department" keeps the department's open complaints; the row-level rule
(app.models.complaint.Complaint.visible_to) also reads the receiver and the receiving
department. Carried in the index (INCLUDE), its capped count reads no table page.
SQLite has no INCLUDE: the index stays as it was there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d4e2a9c1b30'
down_revision = '0bf6d050f60b'
branch_labels = None
depends_on = None

NAME = 'ix_complaint_responsible_status_received'
COLUMNS = ['responsible_department_id', 'status', 'received_at']


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index(NAME, table_name='complaint')
    op.create_index(NAME, 'complaint', COLUMNS, postgresql_include=['receiver_id', 'receiving_department_id'])


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index(NAME, table_name='complaint')
    op.create_index(NAME, 'complaint', COLUMNS)
