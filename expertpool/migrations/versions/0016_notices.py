"""notify and confirm: notice states, contact attempts, answer deadlines

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 04:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notice_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=60), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_notice_states_panel_id_panels')),
    sa.ForeignKeyConstraint(['seat_id'], ['panel_seats.id'], name=op.f('fk_notice_states_seat_id_panel_seats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_states')),
    sa.UniqueConstraint('seat_id', name=op.f('uq_notice_states_seat_id'))
    )
    op.create_index(op.f('ix_notice_states_panel_id'), 'notice_states', ['panel_id'], unique=False)
    op.create_table('notice_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=60), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_notice_attempts_panel_id_panels')),
    sa.ForeignKeyConstraint(['seat_id'], ['panel_seats.id'], name=op.f('fk_notice_attempts_seat_id_panel_seats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_attempts'))
    )
    op.create_index(op.f('ix_notice_attempts_panel_id'), 'notice_attempts', ['panel_id'], unique=False)
    op.create_index(op.f('ix_notice_attempts_seat_id'), 'notice_attempts', ['seat_id'], unique=False)
    op.create_table('notice_deadlines',
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('set_by', sa.String(length=60), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_notice_deadlines_panel_id_panels')),
    sa.PrimaryKeyConstraint('panel_id', name=op.f('pk_notice_deadlines'))
    )
    op.create_table('notice_templates',
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('meeting_time', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('check_in', sa.String(length=200), nullable=False),
    sa.Column('confidentiality', sa.String(length=200), nullable=False),
    sa.Column('reply_how', sa.String(length=200), nullable=False),
    sa.Column('updated_by', sa.String(length=60), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_notice_templates_committee_id_committees')),
    sa.PrimaryKeyConstraint('committee_id', name=op.f('pk_notice_templates'))
    )
    op.create_table('notice_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('reply_code', sa.String(length=40), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_notice_outbox_panel_id_panels')),
    sa.ForeignKeyConstraint(['seat_id'], ['panel_seats.id'], name=op.f('fk_notice_outbox_seat_id_panel_seats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_notice_outbox_idempotency_key'))
    )
    op.create_index(op.f('ix_notice_outbox_panel_id'), 'notice_outbox', ['panel_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_notice_outbox_panel_id'), table_name='notice_outbox')
    op.drop_table('notice_outbox')
    op.drop_table('notice_templates')
    op.drop_table('notice_deadlines')
    op.drop_index(op.f('ix_notice_attempts_seat_id'), table_name='notice_attempts')
    op.drop_index(op.f('ix_notice_attempts_panel_id'), table_name='notice_attempts')
    op.drop_table('notice_attempts')
    op.drop_index(op.f('ix_notice_states_panel_id'), table_name='notice_states')
    op.drop_table('notice_states')
