"""two-party draw sessions and the yearly second-part waiver

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('draw_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('max_panels', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('office_part', sa.String(length=64), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('second_part', sa.String(length=200), nullable=False),
    sa.Column('second_source', sa.String(length=20), nullable=False),
    sa.Column('second_note', sa.String(length=200), nullable=False),
    sa.Column('second_by', sa.String(length=60), nullable=False),
    sa.Column('second_at', sa.DateTime(), nullable=True),
    sa.Column('waiver', sa.String(length=200), nullable=False),
    sa.Column('seed', sa.String(length=80), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.String(length=40), nullable=False),
    sa.Column('requested_by', sa.String(length=60), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by', sa.String(length=60), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_draw_sessions_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_draw_sessions_panel_id_panels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draw_sessions'))
    )
    with op.batch_alter_table('draw_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draw_sessions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_draw_sessions_year'), ['year'], unique=False)

    op.create_table('second_part_waivers',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('set_by', sa.String(length=60), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_second_part_waivers'))
    )


def downgrade() -> None:
    op.drop_table('second_part_waivers')
    with op.batch_alter_table('draw_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draw_sessions_year'))
        batch_op.drop_index(batch_op.f('ix_draw_sessions_meeting_id'))

    op.drop_table('draw_sessions')
