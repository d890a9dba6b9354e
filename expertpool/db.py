"""Engine and session factory. No Flask here: the web app and the CLI both use these."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from expertpool.config import database_url
from expertpool.errors import UserError

# True when the file holds tables but no Alembic version stamp: some other program's
# database, which `init` refuses and which must not even be switched to WAL mode.
_FOREIGN_SQLITE = (
    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table')"
    " AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'alembic_version')"
)


def _sqlite_pragmas(dbapi_conn: Any, _record: object) -> None:  # a DB-API connection: untyped
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    if not cur.execute(_FOREIGN_SQLITE).fetchone()[0]:
        cur.execute("PRAGMA journal_mode=WAL")  # readers never block the July rush's writers
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (or the configured one); a bad URL is a UserError, not a traceback."""
    raw = database_url(url)
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise UserError(f"DATABASE_URL 无法解析：{raw!r}") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            db_file = parsed.database
            # A "file:" URI (e.g. ?mode=ro&uri=true, a read-only open) names no plain path.
            if db_file and db_file != ":memory:" and not db_file.startswith("file:"):
                try:
                    Path(db_file).parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise UserError(
                        f"DATABASE_URL：无法创建数据库所在目录 {Path(db_file).parent}"
                        f"（{exc.strerror or type(exc).__name__}）"
                    ) from None
            engine = create_engine(parsed, connect_args={"timeout": 15})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise UserError(f"DATABASE_URL 指定的数据库类型不受支持：{parsed.drivername}") from exc
    return engine


def _first_line(exc: DatabaseError) -> str:
    text_ = str(exc.orig) if exc.orig is not None else str(exc)
    return (text_.strip().splitlines() or [type(exc).__name__])[0]


def check_connection(engine: Engine) -> None:
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise UserError(f"无法连接数据库（{shown}）：{_first_line(exc)}") from None
    except DatabaseError as exc:  # e.g. SQLite: "file is not a database"
        if engine.dialect.name == "sqlite":
            raise UserError(
                f"DATABASE_URL 指向的文件不是有效的 SQLite 数据库文件：{engine.url.database}"
                f"（{_first_line(exc)}）"
            ) from None
        raise UserError(f"无法使用数据库（{shown}）：{_first_line(exc)}") from None


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """Commit `session` when the block succeeds; roll back everything on any error (which is
    raised again). The session stays open either way, for the caller to use or close."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A new session as one unit of work (see `unit_of_work`), closed afterwards."""
    session = factory()
    try:
        with unit_of_work(session):
            yield session
    finally:
        session.close()
