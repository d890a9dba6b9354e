"""Login throttling by account and by client address, with growing delays instead of a lock.

Why not a lock: "5 failures lock the account for 15 minutes" lets anyone keep anyone out;
five wrong passwords for ``jianguan`` stopped every part b. Instead three counts of password
failures within `WINDOW` each give a delay that doubles with every further failure, capped:

- the pair (account, client address), strict: `PAIR`. It restarts at the pair's last
  successful login. This is what slows one guesser on one account.
- the account from any address, mild: `ACCOUNT` (restarts at the account's last success).
  It slows a guesser who spreads over many addresses.
- the address over all accounts: `ADDRESS` (never restarted by a success, or a guesser could
  log into their own account to wipe it). It slows one address trying many accounts.

A *known pair* (the account logged in from this address within `KNOWN_FOR`: its usual
machine) is judged by its own pair count only. So failures made by strangers elsewhere, on
the account or from their address, never keep the supervisor out of his usual computer; a
stranger can only slow the account on addresses it has never used.

A refused try does not check the password and is not counted, so hammering while refused
does not lengthen the delay. The try is written (as a failure) and committed *before* the
password is checked, so tries running in parallel see each other: of a burst on one pair at
most `PAIR.free` get their password checked. The rows live in the database, so every app
server behind the proxy sees the same counts. Times come from the caller's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session

from expertpool.models import LoginAttempt
from expertpool.services.accounts import normalize_username


@dataclass(frozen=True)
class Rule:
    """``free`` failures pass; the next try then waits ``base``, doubling per failure, ≤ cap."""

    free: int
    base: timedelta
    cap: timedelta

    def delay(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        return min(self.cap, self.base * (1 << min(failures - self.free, 20)))


PAIR = Rule(free=5, base=timedelta(minutes=1), cap=timedelta(hours=1))
ACCOUNT = Rule(free=10, base=timedelta(seconds=30), cap=timedelta(minutes=15))
ADDRESS = Rule(free=20, base=timedelta(minutes=1), cap=timedelta(hours=1))
WINDOW = timedelta(hours=24)  # failures older than this no longer count
KNOWN_FOR = timedelta(days=30)  # how long a successful login makes its address "known"


def account_key(username: str) -> str:
    return normalize_username(username)[:60]


def begin(session: Session, username: str, address: str, now: datetime) -> LoginAttempt:
    """Record a try about to be made, counted as a failure until `succeeded`; the caller
    commits it before asking `refused_until`."""
    attempt = LoginAttempt(at=now, account=account_key(username), address=address[:64], ok=False)
    session.add(attempt)
    session.flush()
    return attempt


@dataclass(frozen=True)
class _Success:
    id: int
    at: datetime


_NONE = _Success(0, datetime.min)


def _last_success(session: Session, where: ColumnElement[bool]) -> _Success:
    """The scope's latest successful try (by id: the injected clock may stand still)."""
    row = session.execute(
        select(LoginAttempt.id, LoginAttempt.at)
        .where(where, LoginAttempt.ok)
        .order_by(LoginAttempt.id.desc())
        .limit(1)
    ).first()
    return _Success(row.id, row.at) if row is not None else _NONE


def _wait_until(
    session: Session, rule: Rule, where: ColumnElement[bool], after_id: int, attempt: LoginAttempt
) -> datetime | None:
    """When ``rule`` lets the scope try again, counting its failures in the window that
    came after ``after_id`` (its last success), others' tries in flight included."""
    count, latest = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            where,
            ~LoginAttempt.ok,
            LoginAttempt.id > after_id,
            LoginAttempt.id != attempt.id,
            LoginAttempt.at >= attempt.at - WINDOW,
        )
    ).one()
    delay = rule.delay(int(count))
    if delay is None or latest is None:
        return None
    return latest + delay


def refused_until(session: Session, attempt: LoginAttempt, now: datetime) -> datetime | None:
    """When this try may be made, if not now. A refused try is deleted (it does not count)."""
    pair = and_(LoginAttempt.account == attempt.account, LoginAttempt.address == attempt.address)
    account = LoginAttempt.account == attempt.account
    pair_ok = _last_success(session, pair)
    checks = [(PAIR, pair, pair_ok.id)]
    if pair_ok.at < now - KNOWN_FOR:  # not a known pair (or none): all three counts apply
        checks.append((ACCOUNT, account, _last_success(session, account).id))
        checks.append((ADDRESS, LoginAttempt.address == attempt.address, 0))
    waits = [_wait_until(session, rule, where, after, attempt) for rule, where, after in checks]
    until = max((w for w in waits if w is not None and w > now), default=None)
    if until is not None:
        session.delete(attempt)
        session.flush()
    return until


def succeeded(session: Session, attempt: LoginAttempt, now: datetime) -> None:
    """The password was right: the try stops counting as a failure, and old rows go."""
    attempt.ok = True
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KNOWN_FOR))
    session.flush()
