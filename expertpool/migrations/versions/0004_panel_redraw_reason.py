"""panel redraw reason

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 02:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('redraw_reason', sa.String(length=200), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.drop_column('redraw_reason')
