"""A phone found by its last four digits: an index on the expression the search box queries

Revision ID: c2d8e4b1a957
Revises: b7e3f9a2c604
Create Date: 2026-12-02 11:00:00.000000

The customer reads the last four digits of the number. ``substr(customer_phone, 8, 4)`` of an
11-digit mobile number, indexed on SQLite and PostgreSQL alike; nothing is stored twice.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2d8e4b1a957'
down_revision = 'b7e3f9a2c604'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_complaint_phone_tail', 'complaint', [sa.text('substr(customer_phone, 8, 4)')])


def downgrade():
    op.drop_index('ix_complaint_phone_tail', table_name='complaint')
