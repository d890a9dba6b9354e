"""The one clock of the services: UTC for stored instants, Beijing wall-clock for deadlines.

Services that decide by the time take ``now`` (or a `Clock`) as an argument, so a test fixes
the time instead of depending on when it runs. `SYSTEM_CLOCK` reads the real time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current UTC time, naive (as the timestamp columns store it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def shanghai_now() -> datetime:
    """The current Asia/Shanghai wall-clock time, naive (as stored in YearSetting)."""
    return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)


class Clock(Protocol):
    def utcnow(self) -> datetime: ...

    def shanghai_now(self) -> datetime: ...


class SystemClock:
    """The real time."""

    def utcnow(self) -> datetime:
        return utcnow()

    def shanghai_now(self) -> datetime:
        return shanghai_now()


class FixedClock:
    """A clock that always reads ``at`` (a naive UTC time); for tests and replays."""

    def __init__(self, at: datetime) -> None:
        self.at = at.replace(tzinfo=None)

    def utcnow(self) -> datetime:
        return self.at

    def shanghai_now(self) -> datetime:
        local = self.at.replace(tzinfo=UTC).astimezone(SHANGHAI)
        return local.replace(tzinfo=None, microsecond=0)


SYSTEM_CLOCK: Clock = SystemClock()
