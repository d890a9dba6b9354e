"""Backup and restore of the embedded database find every row again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from expertpool.db import make_session_factory
from expertpool.models import Expert
from tests.builders import table_counts


def test_backup_restore_roundtrip(demo_db, runner, tmp_path):
    if demo_db.dialect.name != "sqlite":
        pytest.skip("SQLite backup; PostgreSQL uses pg_dump (README)")
    before = table_counts(demo_db)
    path = tmp_path / "backup.sqlite"
    result = runner("backup", str(path))
    assert result.code == 0, result.err
    # Damage the live database, then restore.
    with make_session_factory(demo_db)() as s:
        s.execute(text("DELETE FROM pool_memberships"))
        s.execute(text("UPDATE experts SET name = '改动'"))
        s.commit()
    assert table_counts(demo_db)["pool_memberships"] == 0
    result = runner("restore", str(path))
    assert result.code == 0, result.err
    demo_db.dispose()
    assert table_counts(demo_db) == before
    with make_session_factory(demo_db)() as s:
        assert s.scalar(select(func.count()).where(Expert.name == "改动")) == 0


def test_restore_refuses_bad_files(db, runner, tmp_path):
    if db.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner("restore", str(junk))
    assert result.code == 2 and "备份" in result.err
    missing = runner("restore", str(tmp_path / "none.sqlite"))
    assert missing.code == 2 and "不存在" in missing.err
    assert table_counts(db)["committees"] == 30  # unchanged


def test_backup_on_postgres_points_to_pg_dump(db, runner, tmp_path):
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    result = runner("backup", str(tmp_path / "x"))
    assert result.code == 2 and "pg_dump" in result.err
