"""login attempts, session tokens, normalised usernames

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-08 03:30:00
"""

import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _normalise(name: str) -> str:
    # The same rule as expertpool.services.accounts.normalize_username (kept here so the
    # migration does not change when the service does).
    return unicodedata.normalize('NFKC', name).strip().lower()


def _normalise_usernames() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT id, username FROM users')).all()
    seen: dict[str, str] = {}
    for _id, name in rows:
        key = _normalise(name)
        if key in seen:
            raise RuntimeError(
                f'用户名“{seen[key]}”与“{name}”只差大小写或空格，升级前请停用并改名其中一个'
            )
        seen[key] = name
    for user_id, name in rows:
        if _normalise(name) != name:
            conn.execute(
                sa.text('UPDATE users SET username = :n WHERE id = :i'),
                {'n': _normalise(name), 'i': user_id},
            )


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('account', sa.String(length=60), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_at'), ['at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_token', sa.String(length=64), nullable=False, server_default='')
        )
    _normalise_usernames()


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_at'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_address'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_account'))
    op.drop_table('login_attempts')
