"""Migration 0009 fills the stored pinyin sort key of the experts already in a database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from expertpool import schema
from expertpool.db import make_engine
from expertpool.pinyin import stored_sort_key

UNIT = "INSERT INTO units VALUES (1, '大连理工大学', '12210000000000000X', '高校', '甘井子区')"
EXPERT = (
    "INSERT INTO experts VALUES ({id}, 'E000{id}', '{name}', '男', 1968, '21020219680402001{id}',"
    " 1, '正高级', '教授', '工程', '[]', '13800000000', 'a@b.cn', '暂停', '2024-07-01 00:00:00')"
)


def test_0009_backfills_name_sort_and_leaves_no_end_date(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    schema.upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(text(UNIT))
        conn.execute(text(EXPERT.format(id=1, name="曾国藩")))
        conn.execute(text(EXPERT.format(id=2, name="陈明")))
    schema.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name, name_sort, suspended_until FROM experts ORDER BY id")
        ).all()
    assert [(n, k, u) for n, k, u in rows] == [
        ("曾国藩", stored_sort_key("曾国藩"), None),
        ("陈明", stored_sort_key("陈明"), None),
    ]
    engine.dispose()
