"""Things that must happen once (a part b entered, a nomination approved): a conditional
UPDATE ... WHERE <still in the old state>, checked by how many rows it changed.

Two requests racing for the same row both pass any check made in Python; only the database
can tell which one changed it first. On PostgreSQL the second UPDATE waits for the first
transaction's commit and then finds the row no longer in the old state (0 rows); on SQLite
the write lock serialises them the same way. The caller whose UPDATE changed 0 rows gives
one message and, through its caller's rollback, changes nothing."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Update
from sqlalchemy.orm import Session


def rows_changed(session: Session, stmt: Update) -> int:
    """Run `stmt` in the session's transaction; the number of rows it changed. (The ORM
    objects are set by the caller; the statement does not touch the identity map.)"""
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(cast("CursorResult[Any]", result).rowcount)
