"""Consistent online backups of the embedded SQLite database, and restore.

SQLite's backup API copies a consistent snapshot while the app keeps serving (WAL readers
and writers are not blocked for long). PostgreSQL deployments use pg_dump/pg_restore
(see the README); this module says so instead of guessing.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine

from expertpool import schema
from expertpool.errors import UserError

# Tables every known revision has; a file without them is not an expertpool backup.
CORE_TABLES = (
    "audit_events",
    "committees",
    "experts",
    "meetings",
    "pool_memberships",
    "units",
    "users",
)


def _sqlite_file(engine: Engine) -> Path:
    if engine.dialect.name != "sqlite":
        raise UserError(
            "当前数据库为 PostgreSQL：请用 pg_dump -Fc 备份、pg_restore 恢复（见 README“可靠性”一节）"
        )
    db = engine.url.database
    if not db or db == ":memory:":
        raise UserError("内存数据库无法备份")
    return Path(db)


def _read_only(path: Path) -> sqlite3.Connection:
    # A URI built by pathlib, so "?" or "#" in a file name cannot end the path early.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _reason(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _check_backup_file(path: Path) -> None:
    """Refuse anything but an intact database written by one of our known schema versions."""
    try:
        conn = _read_only(path)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            versions = (
                conn.execute("SELECT version_num FROM alembic_version").fetchall()
                if schema.VERSION_TABLE in tables
                else []
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserError(f"不是有效的专家库备份文件：{path}（{_reason(exc)}）") from None
    if ok != "ok":
        raise UserError(f"备份文件已损坏：{path}（{ok}）")
    if len(versions) != 1:
        raise UserError(f"备份文件中没有数据库结构版本，不是专家库备份：{path}")
    version = versions[0][0]
    if version not in schema.known_revisions():
        raise UserError(f"备份文件的数据库结构版本 {version} 不是本系统已知的版本：{path}")
    missing = [t for t in CORE_TABLES if t not in tables]
    if missing:
        raise UserError(f"备份文件缺少专家库数据表（{'、'.join(missing)}），不是专家库备份：{path}")


def backup(engine: Engine, target: Path, *, label: str | None = None) -> int:
    """Write a consistent, checked snapshot to the file `target` (overwritten) and return its
    size in bytes. The copy is left in rollback-journal mode: one self-contained file, with no
    -wal/-shm beside it. Callers that must never leave a half-written file under the real name
    pass a temporary name and rename it (the CLI uses `commands.files.output_file`); `label`
    is the name shown in messages."""
    source = _sqlite_file(engine)
    shown = label or str(target)
    if not source.exists():
        raise UserError(f"数据库文件不存在：{source}")
    try:
        with (
            closing(sqlite3.connect(source, timeout=30)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst, pages=1024)
            dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise UserError(f"备份失败：{shown}（{_reason(exc)}）") from None
    _check_backup_file(target)
    return target.stat().st_size


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup's, in one transaction of the backup API.
    The backup is checked first; a refused or failed restore leaves the database as it was."""
    target = _sqlite_file(engine)
    if not source.exists():
        raise UserError(f"备份文件不存在：{source}")
    if source.is_dir():
        raise UserError(f"备份文件是目录而不是文件：{source}")
    _check_backup_file(source)
    if target.exists() and target.resolve() == source.resolve():
        raise UserError(f"备份文件就是当前数据库本身：{source}")
    engine.dispose()  # no pooled connection may hold the old pages
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"无法创建数据库所在目录 {target.parent}（{exc.strerror or type(exc).__name__}）"
        ) from None
    try:
        with (
            closing(_read_only(source)) as src,
            closing(sqlite3.connect(target, timeout=30)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as exc:
        raise UserError(f"恢复失败，数据库未改动：{target}（{_reason(exc)}）") from None
