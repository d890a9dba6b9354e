"""An existing database upgrades to the newest schema with its data: SQLite's batch mode
rebuilds tables that other rows refer to (applicants, referred to by conflicts), which fails
while foreign keys are enforced unless the migrations switch enforcement off for the rebuild."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from expertpool import schema
from expertpool.db import make_engine
from expertpool.errors import UserError

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the table rebuild is SQLite's batch mode"
)

ROWS = [
    "INSERT INTO units VALUES (1, '大连理工大学', '12210000000000000X', '高校', '甘井子区')",
    "INSERT INTO committees VALUES (1, '测试评委会', 'senior', '工程', '[\"建筑工程\"]', 0,"
    " '市住建局', '张三', '0411-1')",
    "INSERT INTO meetings VALUES (1, '2024-S01', 1, 2024, 1, '2024-10-21', '2024-10-31',"
    " '2024-09-30', '10月下旬', '{}')",
    "INSERT INTO experts VALUES (1, 'E0001', '王建国', '男', 1968, '210202196804020011', 1,"
    " '正高级', '教授', '工程', '[\"建筑工程\"]', '13800000000', 'a@b.cn', '在库',"
    " '2024-07-01 00:00:00')",
    "INSERT INTO applicants VALUES (1, 1, 'A0001', '李四', 1, '建筑工程', '工程师')",
    "INSERT INTO conflicts VALUES (1, 1, 1, 1, '师生', '')",
]


def test_a_0004_database_with_conflicts_upgrades_to_head(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    schema.upgrade(engine, "0004")
    with engine.begin() as conn:
        for row in ROWS:
            conn.execute(text(row))
    schema.upgrade(engine)
    assert schema.is_current(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM conflicts")).scalar() == 1
        assert conn.execute(text("SELECT apply_level FROM applicants")).scalar() == ""
        # Enforcement is back on for every connection after the upgrade.
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_a_failed_upgrade_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    schema.upgrade(engine, "0004")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # plant a conflict naming no applicant
        conn.commit()
        for row in ROWS[:-2]:
            conn.execute(text(row))
        conn.execute(text("INSERT INTO conflicts VALUES (1, 1, 1, 99, '师生', '')"))
        conn.commit()
    engine.dispose()
    with pytest.raises(UserError, match="外键"):
        schema.upgrade(engine)
    assert schema.current_revision(engine) == "0004"
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert "draw_sessions" not in tables and "meeting_days" not in tables
    engine.dispose()
