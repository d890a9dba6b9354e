"""panel certificates

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-08 03:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One expertpool.certificate/1 file per step of a panel's draw (draw-format.md §6).
    op.create_table('panel_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('cert_json', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_certificates_panel_id_panels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_certificates')),
    sa.UniqueConstraint('panel_id', 'step', name='uq_panel_certificates_step')
    )
    with op.batch_alter_table('panel_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_certificates_panel_id'), ['panel_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('panel_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_certificates_panel_id'))
    op.drop_table('panel_certificates')
