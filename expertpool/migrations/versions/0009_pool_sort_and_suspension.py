"""pool sort key, suspension end date, review-queue index

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01 12:40:00
"""

from alembic import op
import sqlalchemy as sa

from expertpool.pinyin import stored_sort_key


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_sort', sa.String(length=400), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('suspended_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_experts_name_sort'), ['name_sort'], unique=False)
    # The stored pinyin order of the names already there (new names get it from the model).
    conn = op.get_bind()
    experts = sa.table('experts', sa.column('id', sa.Integer), sa.column('name', sa.String),
                       sa.column('name_sort', sa.String))
    rows = conn.execute(sa.select(experts.c.id, experts.c.name)).all()
    for expert_id, name in rows:
        conn.execute(
            experts.update().where(experts.c.id == expert_id)
            .values(name_sort=stored_sort_key(name))
        )
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.create_index('ix_nominations_year_status', ['year', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_index('ix_nominations_year_status')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experts_name_sort'))
        batch_op.drop_column('suspended_until')
        batch_op.drop_column('name_sort')
