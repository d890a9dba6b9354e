"""working years: the bureau opens each year from the previous one

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 12:30:00
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'working_years',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('opened_from', sa.Integer(), nullable=True),
        sa.Column('opened_by', sa.String(length=60), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_working_years')),
    )
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_from', sa.Integer(), nullable=True))
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile', sa.JSON(), server_default='{}', nullable=False))
    # Every year that already has meetings was opened from its catalogue file.
    conn = op.get_bind()
    years = sorted(row[0] for row in conn.execute(sa.text('SELECT DISTINCT year FROM meetings')))
    stamp = datetime.now(timezone.utc).replace(tzinfo=None)
    for year in years:
        conn.execute(
            sa.text(
                'INSERT INTO working_years (year, opened_from, opened_by, opened_at, state) '
                'VALUES (:year, NULL, :by, :at, :state)'
            ),
            {'year': year, 'by': 'system', 'at': stamp,
             'state': 'open' if year == years[-1] else 'closed'},
        )


def downgrade() -> None:
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('profile')
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.drop_column('retired_from')
    op.drop_table('working_years')
