"""Create or upgrade the schema with Alembic (the only way tables are made)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DatabaseError

from expertpool.errors import UserError

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0]


def check_upgradable(engine: Engine) -> None:
    """Refuse, before anything is written, a database this program did not make: tables but
    no version stamp (another program's database), or a version none of our migrations know."""
    current = current_revision(engine)
    if current is None:
        with engine.connect() as conn:
            tables = sorted(set(inspect(conn).get_table_names()) - {VERSION_TABLE})
        if tables:
            shown = "、".join(tables[:5]) + ("等" if len(tables) > 5 else "")
            raise UserError(
                f"数据库中已有不属于本系统的数据表（{shown}），且没有本系统的结构版本记录，"
                "拒绝初始化：请检查 DATABASE_URL 是否指向了其他程序的数据库"
            )
    elif current not in known_revisions():
        raise UserError(
            f"数据库结构版本 {current} 不是本系统已知的版本（可能来自其他程序或更新版本的"
            "expertpool），无法升级；请检查 DATABASE_URL，或从备份恢复"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    check_upgradable(engine)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                _begin_sqlite_migration(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except CommandError as exc:
        raise UserError(f"数据库结构升级失败：{_reason(exc)}") from None
    except DatabaseError as exc:
        raise UserError(f"数据库结构升级失败：{_reason(exc)}") from None
    except RuntimeError as exc:  # the migration environment's own check
        raise UserError(f"数据库结构升级失败：{exc}") from None
    finally:
        _drop_migration_connections(engine)


def _begin_sqlite_migration(conn: Connection) -> None:
    """pysqlite opens a transaction only before data changes, so each CREATE or ALTER would
    commit on its own and a failed upgrade would leave half a schema behind: begin one
    explicitly, after switching off foreign-key enforcement (which only takes effect outside a
    transaction) so that batch mode can rebuild tables other rows refer to. The migration
    environment checks every reference before the transaction commits."""
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.exec_driver_sql("BEGIN")


def _drop_migration_connections(engine: Engine) -> None:
    """SQLite migrations run with foreign keys unenforced (migrations/env.py); pooled
    connections are closed so that every later one is opened with enforcement on again."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except CommandError as exc:  # e.g. several rows in alembic_version
        raise UserError(f"数据库结构版本记录无法识别：{_reason(exc)}") from None


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def known_revisions() -> set[str]:
    """Every revision our migrations define (a database stamped otherwise is not ours)."""
    return {script.revision for script in _scripts().walk_revisions()}


def head_revision() -> str | None:
    return _scripts().get_current_head()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def autogenerate(engine: Engine, message: str) -> None:
    """Developer helper: write a new migration from the models' difference."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
