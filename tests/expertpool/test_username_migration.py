"""Migration 0013 gives the accounts already in a database the one normalised username (so
"DLUT" logs in as "dlut"), and refuses, changing nothing, when two would become one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from expertpool import schema
from expertpool.db import make_engine
from expertpool.errors import UserError

USER = (
    "INSERT INTO users (id, username, password_hash, display_name, role, active, created_at)"
    " VALUES ({id}, '{name}', 'x', '', 'bureau', 1, '2024-07-01 00:00:00')"
)


def _old_database(path: Path, names: list[str]):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0010")
    with engine.begin() as conn:
        for i, name in enumerate(names, start=1):
            conn.execute(text(USER.format(id=i, name=name)))
    return engine


def test_0013_normalises_existing_usernames(tmp_path: Path) -> None:
    engine = _old_database(tmp_path / "old.sqlite", ["DLUT", "rsj", "Ｚjj"])
    schema.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT username, session_token FROM users ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("dlut", ""), ("rsj", ""), ("zjj", "")]
    engine.dispose()


def test_0013_refuses_names_that_differ_only_by_case(tmp_path: Path) -> None:
    engine = _old_database(tmp_path / "clash.sqlite", ["Dlut", "dlut"])
    with pytest.raises(UserError, match="只差大小写"):
        schema.upgrade(engine)
    assert schema.current_revision(engine) == "0010"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM users ORDER BY id")).scalars().all() == [
            "Dlut",
            "dlut",
        ]
    engine.dispose()
