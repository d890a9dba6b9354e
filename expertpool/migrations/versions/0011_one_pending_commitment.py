"""one pending commitment per meeting and per season

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 03:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_SINGLE = sa.text("state = 'pending' AND kind = 'single'")
_SEASON = sa.text("state = 'pending' AND kind = 'season'")
_NOTE = '升级时发现另有更早的等待中的抽取承诺，此重复承诺自动放弃（保留最早的一个）'


def _abandon_twins(kind: str, group: str) -> None:
    # Two clicks before this revision could leave two pending commitments; the earliest
    # stays pending (it was published first), the later ones are abandoned and stay listed.
    op.execute(
        sa.text(
            "UPDATE draw_sessions SET state = 'abandoned', note = :note, closed_by = 'system',"
            " closed_at = CURRENT_TIMESTAMP"
            " WHERE state = 'pending' AND kind = :kind AND id NOT IN ("
            f"SELECT MIN(id) FROM draw_sessions WHERE state = 'pending' AND kind = :kind"
            f" GROUP BY {group})"
        ).bindparams(note=_NOTE, kind=kind)
    )


def upgrade() -> None:
    _abandon_twins('single', 'meeting_id')
    _abandon_twins('season', 'year')
    with op.batch_alter_table('draw_sessions', schema=None) as batch_op:
        batch_op.create_index('uq_draw_sessions_pending_meeting', ['meeting_id'], unique=True, sqlite_where=_SINGLE, postgresql_where=_SINGLE)
        batch_op.create_index('uq_draw_sessions_pending_season', ['year'], unique=True, sqlite_where=_SEASON, postgresql_where=_SEASON)


def downgrade() -> None:
    with op.batch_alter_table('draw_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_draw_sessions_pending_season', sqlite_where=_SEASON, postgresql_where=_SEASON)
        batch_op.drop_index('uq_draw_sessions_pending_meeting', sqlite_where=_SINGLE, postgresql_where=_SINGLE)
