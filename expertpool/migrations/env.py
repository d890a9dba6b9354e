"""Alembic environment: the connection comes from expertpool.schema, never from an ini file."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from expertpool.models import Base

config = context.config
target_metadata = Base.metadata


def _foreign_key_problems(connection: Connection) -> list[Any]:
    return list(connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall())


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,  # SQLite ALTERs need batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite and (problems := _foreign_key_problems(connection)):
            raise RuntimeError(f"迁移后有{len(problems)}处外键引用不存在的记录")
    # expertpool.schema.upgrade switched foreign-key enforcement off for SQLite's table rebuilds
    # (batch mode) and disposes of the connection afterwards; every reference is checked above,
    # inside the transaction, so a broken one undoes the whole upgrade.


run_migrations_online()
