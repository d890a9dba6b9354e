"""audit chain signatures

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-08 03:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Each event and the head get an HMAC made with the key kept outside the database.
    op.add_column('audit_events', sa.Column('mac', sa.String(length=64), nullable=True))
    op.add_column('audit_head', sa.Column('mac', sa.String(length=64), nullable=True))
    _sign_existing_chain(op.get_bind())


def _sign_existing_chain(conn: sa.Connection) -> None:
    """Sign the trail as it stands at the upgrade (once; later it is signed as it grows). An
    empty trail needs no key yet: the key is made when the first event is signed."""
    from expertpool.audit_key import event_mac, head_mac, load_key

    rows = conn.execute(sa.text("SELECT id, hash FROM audit_events ORDER BY id")).all()
    if not rows:
        return
    key = load_key(create=True)
    for seq, (event_id, event_hash) in enumerate(rows, start=1):
        conn.execute(
            sa.text("UPDATE audit_events SET mac = :m WHERE id = :i"),
            {"m": event_mac(key, seq, event_hash), "i": event_id},
        )
    last = rows[-1][1]
    conn.execute(
        sa.text("UPDATE audit_head SET seq = :s, last_hash = :h, mac = :m WHERE id = 1"),
        {"s": len(rows), "h": last, "m": head_mac(key, len(rows), last)},
    )


def downgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('mac')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('mac')
