"""one pending commitment per meeting and per season; seed parts restored after declines

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 03:40:00
"""

import json

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


_SESSIONS = sa.text(
    "SELECT id, kind, panel_id, run_id, office_part, commitment, second_part, second_source,"
    " second_note, second_by, waiver FROM draw_sessions WHERE state = 'drawn'"
)


def _parts(row: sa.RowMapping) -> dict[str, str]:
    # The panel file's seed_parts as the draw wrote them (services/draw_sessions.seed_parts).
    return {
        'scheme': 'expertpool.seed/1',
        'office': row['office_part'],
        'commitment': row['commitment'],
        'second': row['second_part'],
        'second_source': row['second_source'],
        'second_note': row['second_note'],
        'second_by': row['second_by'],
        'waiver': row['waiver'],
    }


def _restore_seed_parts() -> None:
    # A decline before this revision dropped the two-party seed's parts from the panel's
    # result; the draw session still holds them. Put them back (and beside the first draw,
    # `original`), so pages, exports and `verify --replay` show and check them again.
    conn = op.get_bind()
    sessions = conn.execute(_SESSIONS).mappings().all()
    by_panel = {s['panel_id']: s for s in sessions if s['panel_id'] is not None}
    by_run = {s['run_id']: s for s in sessions if s['kind'] == 'season' and s['run_id']}
    for panel_id, text in conn.execute(sa.text('SELECT id, result_json FROM panels')).all():
        result = json.loads(text)
        if 'seed_parts' in result or not (result.get('replacements') or result.get('declines')):
            continue
        season = result.get('season')
        row = by_panel.get(panel_id)
        if row is None and isinstance(season, dict):
            row = by_run.get(season.get('run'))
        if row is None:
            continue  # drawn without a two-party seed (the command line)
        result['seed_parts'] = _parts(row)
        if isinstance(result.get('original'), dict):
            result['original']['seed_parts'] = result['seed_parts']
        conn.execute(
            sa.text('UPDATE panels SET result_json = :text WHERE id = :id'),
            {'text': json.dumps(result, ensure_ascii=False, indent=1) + '\n', 'id': panel_id},
        )


def upgrade() -> None:
    _restore_seed_parts()
    _abandon_twins('single', 'meeting_id')
    _abandon_twins('season', 'year')
    with op.batch_alter_table('draw_sessions', schema=None) as batch_op:
        batch_op.create_index('uq_draw_sessions_pending_meeting', ['meeting_id'], unique=True, sqlite_where=_SINGLE, postgresql_where=_SINGLE)
        batch_op.create_index('uq_draw_sessions_pending_season', ['year'], unique=True, sqlite_where=_SEASON, postgresql_where=_SEASON)


def downgrade() -> None:
    with op.batch_alter_table('draw_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_draw_sessions_pending_season', sqlite_where=_SEASON, postgresql_where=_SEASON)
        batch_op.drop_index('uq_draw_sessions_pending_meeting', sqlite_where=_SINGLE, postgresql_where=_SINGLE)
