"""Is the database writable, reachable? Named causes for a database error, in Chinese.

A read-only database (a SQLite file without write permission, a PostgreSQL role without
INSERT, a read-only replica) reads fine and fails at the first write: the login. The web
app turns such an error into one page saying so (not a generic 500), and `expertpool serve`
probes with `write_problem` at start-up and warns.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError, OperationalError

from expertpool.clock import utcnow
from expertpool.models import LoginAttempt

Problem = Literal["readonly", "unreachable"]

# PostgreSQL SQLSTATEs: a read-only transaction (replica, default_transaction_read_only) and a
# role without the privilege; class 08 and 57P0x: the connection or the server is gone.
_PG_READONLY = {"25006", "42501"}
_PG_UNREACHABLE_PREFIXES = ("08", "57P01", "57P02", "57P03")
_SQLITE_READONLY = ("readonly database", "read-only", "attempt to write a readonly")
_SQLITE_UNREACHABLE = ("unable to open database file",)

TITLES: dict[Problem, str] = {"readonly": "数据库只读", "unreachable": "无法连接数据库"}
TEXTS: dict[Problem, str] = {
    "readonly": "数据库当前只能读取、不能写入，因此无法登录，也无法保存任何修改。"
    "请联系系统管理员检查数据库文件的写权限或数据库账户的写入权限；恢复后重新提交即可。",
    "unreachable": "系统暂时连接不上数据库，无法完成本次操作。"
    "请稍后重试；如问题持续，请联系系统管理员检查数据库服务是否运行、网络是否畅通。",
}


def _sqlstate(exc: DBAPIError) -> str:
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code if isinstance(code, str) else ""


def classify(exc: BaseException) -> Problem | None:
    """ "readonly", "unreachable", or None for any other error (a bug: the generic 500)."""
    if not isinstance(exc, DBAPIError):
        return None
    code = _sqlstate(exc)
    text = str(exc.orig).lower()
    if code in _PG_READONLY or any(words in text for words in _SQLITE_READONLY):
        return "readonly"
    if code.startswith(_PG_UNREACHABLE_PREFIXES) or any(w in text for w in _SQLITE_UNREACHABLE):
        return "unreachable"
    # psycopg names no SQLSTATE when the connection itself failed (refused, reset, timed out).
    if isinstance(exc, OperationalError) and (exc.connection_invalidated or not code):
        return "unreachable" if "sqlite" not in type(exc.orig).__module__ else None
    return None


def write_problem(engine: Engine) -> Problem | None:
    """Try one write (a login_attempts row) and roll it back: why it failed, if it did."""
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.execute(insert(LoginAttempt).values(at=utcnow(), account="", address="", ok=False))
            tx.rollback()
    except DBAPIError as exc:
        return classify(exc) or "readonly"
    return None
