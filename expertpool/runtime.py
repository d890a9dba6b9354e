"""Opening the configured database for a command, with clear messages when it is not ready."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from expertpool import schema
from expertpool.db import check_connection, make_engine, make_session_factory
from expertpool.errors import UserError

# Engines opened for this command; closed when it ends, so no connection outlives it.
_opened: list[Engine] = []


def open_engine(url: str | None = None) -> Engine:
    engine = make_engine(url)
    _opened.append(engine)
    return engine


def close_all() -> None:
    while _opened:
        _opened.pop().dispose()


def open_database(
    url: str | None = None, *, require_schema: bool = True
) -> tuple[Engine, sessionmaker[Session]]:
    engine = open_engine(url)
    check_connection(engine)
    if require_schema and not schema.is_current(engine):
        current = schema.current_revision(engine)
        engine.dispose()
        if current is None:
            # The default database lives under ./instance: name it, in case this is the
            # wrong folder rather than a new installation.
            where = engine.url.render_as_string(hide_password=True)
            raise UserError(
                f"数据库尚未初始化（{where}），请先运行 expertpool init；"
                "如已在别处初始化，请在项目目录中运行，或设置 EXPERTPOOL_INSTANCE / DATABASE_URL"
            )
        if current not in schema.known_revisions():
            raise UserError(
                f"数据库结构版本 {current} 不是本系统已知的版本，请检查 DATABASE_URL，或从备份恢复"
            )
        raise UserError(f"数据库结构版本为 {current}，需要升级，请运行 expertpool init")
    return engine, make_session_factory(engine)
