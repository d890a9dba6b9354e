"""Consistent online backups of the embedded SQLite database, and restore.

SQLite's backup API copies a consistent snapshot while the app keeps serving (WAL readers
and writers are not blocked for long). PostgreSQL deployments use pg_dump/pg_restore
(see the README); this module says so instead of guessing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from expertpool.errors import UserError


def _sqlite_file(engine: Engine) -> Path:
    if engine.dialect.name != "sqlite":
        raise UserError(
            "当前数据库为 PostgreSQL：请用 pg_dump -Fc 备份、pg_restore 恢复（见 README“可靠性”一节）"
        )
    db = engine.url.database
    if not db or db == ":memory:":
        raise UserError("内存数据库无法备份")
    return Path(db)


def _check_backup_file(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"不是有效的专家库备份文件：{path}（{exc}）") from exc
    if ok != "ok":
        raise UserError(f"备份文件已损坏：{path}（{ok}）")
    if version is None:
        raise UserError(f"备份文件中没有数据库结构版本：{path}")


def backup(engine: Engine, target: Path) -> int:
    """Write a consistent snapshot to `target`; returns its size in bytes."""
    source = _sqlite_file(engine)
    if not source.exists():
        raise UserError(f"数据库文件不存在：{source}")
    if not target.parent.exists():
        raise UserError(f"输出目录不存在：{target.parent}")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=1024)
    finally:
        dst.close()
        src.close()
    _check_backup_file(partial)
    partial.replace(target)
    return target.stat().st_size


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup's, in one transaction of the backup API."""
    target = _sqlite_file(engine)
    if not source.exists():
        raise UserError(f"备份文件不存在：{source}")
    _check_backup_file(source)
    engine.dispose()  # no pooled connection may hold the old pages
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
