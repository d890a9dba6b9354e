"""past window reason

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01 12:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Why a meeting whose window had already passed was drawn (required then, shown on the panel).
    for table in ('draw_sessions', 'panels'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('past_reason', sa.String(length=200), nullable=False, server_default='')
            )


def downgrade() -> None:
    for table in ('panels', 'draw_sessions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('past_reason')
