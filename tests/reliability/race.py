"""Two (or more) service calls released at the same moment, each in its own session and
transaction, as two app servers or two browser tabs would make them.

Each thread loads what it needs first (so every check in Python sees the same state), then
waits at a `threading.Barrier`, then calls the service and commits. The outcome of each call
is kept: "ok", the `UserError` message, or any other exception's class and text (which a
test then shows as the failure it is: an IntegrityError is a 500 page)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory
from expertpool.errors import UserError

# prepare(session, i) -> what call(session, i, prepared) needs, loaded before the barrier.
Prepare = Callable[[Session, int], Any]
Call = Callable[[Session, int, Any], object]


@dataclass
class Outcome:
    ok: bool
    message: str


def race(engine: Engine, prepare: Prepare, call: Call, n: int = 2) -> list[Outcome]:
    factory = make_session_factory(engine)
    barrier = threading.Barrier(n, timeout=60)
    outcomes: list[Outcome | None] = [None] * n

    def run(i: int) -> None:
        session = factory()
        try:
            prepared = prepare(session, i)
            barrier.wait()
            try:
                call(session, i, prepared)
                session.commit()
                outcomes[i] = Outcome(True, "ok")
            except UserError as exc:
                session.rollback()
                outcomes[i] = Outcome(False, exc.message)
        except Exception as exc:  # noqa: BLE001 - the test shows it as the failure it is
            session.rollback()
            outcomes[i] = Outcome(False, f"{type(exc).__name__}: {exc}")
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return [o if o is not None else Outcome(False, "thread did not finish") for o in outcomes]


def one_winner(outcomes: list[Outcome], *loser_says: str) -> None:
    """Exactly one call succeeded; every other got one Chinese message containing one of
    `loser_says` (the race's, or the plain one when the winner had committed already)."""
    winners = [o for o in outcomes if o.ok]
    losers = [o for o in outcomes if not o.ok]
    assert len(winners) == 1, outcomes
    assert all(any(words in o.message for words in loser_says) for o in losers), outcomes
