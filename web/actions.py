"""One way to run a service call from a view: commit and flash success, or roll back and
flash the service's message.

    with attempt("未能锁定：") as act:
        svc.seal(session, panel, *who)
        act.done("评委名单已锁定，此后不能再作任何修改。")
    return redirect(...)

On a `UserError` from the block the request's session is rolled back, the message is
flashed (with the given prefix, or as the callable words it; ``None``: not flashed), and the
error is kept in ``act.error`` for views that render a page instead of redirecting. Any
other exception propagates (the error page rolls back). Otherwise the session is committed
and the message given to ``act.done`` is flashed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash

from expertpool.errors import UserError
from web.context import db_session

Failure = str | Callable[[UserError], str] | None


@dataclass
class Action:
    """What happened in an `attempt` block."""

    message: str = ""
    category: str = "success"
    error: UserError | None = None

    def done(self, message: str, category: str = "success") -> None:
        """The message to flash once the block's work is committed."""
        self.message = message
        self.category = category

    @property
    def failed(self) -> bool:
        return self.error is not None


def _failure_text(failure: Failure, exc: UserError) -> str | None:
    if failure is None:
        return None
    if isinstance(failure, str):
        return f"{failure}{exc.message}"
    return failure(exc)


@contextmanager
def attempt(failure: Failure = "") -> Iterator[Action]:
    """Commit the block's work and flash ``act.done``'s message, or roll back on a
    `UserError` and flash it (see the module docstring)."""
    session = db_session()
    act = Action()
    try:
        yield act
        session.commit()
    except UserError as exc:
        session.rollback()
        act.error = exc
        text = _failure_text(failure, exc)
        if text is not None:
            flash(text, "error")
        return
    if act.message:
        flash(act.message, act.category)
