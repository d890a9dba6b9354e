"""The injectable clock and seed sources: a draw and a seal decided by them, not by chance."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.clock import FixedClock
from expertpool.db import unit_of_work
from expertpool.models import AuditEvent
from expertpool.seeds import FixedSeed, SeedSequence, secrets_seed
from expertpool.services import panels as svc
from tests.builders import ZJJ, small_meeting


@pytest.fixture
def s(demo_session: Session) -> Session:
    """A session on the demo pool (the root conftest's demo_session)."""
    return demo_session


def test_seed_sources() -> None:
    first, second = SeedSequence("x"), SeedSequence("x")
    assert [first(), first()] == [second(), second()]
    assert len(set(SeedSequence("x")() for _ in range(3))) == 1  # each new sequence restarts
    assert FixedSeed("0123456789abcdef")() == "0123456789abcdef"
    assert len(secrets_seed()) == 16 and int(secrets_seed(), 16) >= 0


def test_fixed_clock_reads_both_zones() -> None:
    clock = FixedClock(datetime(2024, 7, 31, 16, 0, 0))
    assert clock.utcnow() == datetime(2024, 7, 31, 16, 0, 0)
    assert clock.shanghai_now() == datetime(2024, 8, 1, 0, 0, 0)


def test_draw_and_seal_use_the_injected_seed_and_clock(s: Session) -> None:
    meeting = small_meeting(s)
    at = datetime(2024, 8, 20, 9, 30, 0)
    panel = svc.draw_meeting(
        s, meeting, ZJJ, seeds=FixedSeed("00000000000000aa"), clock=FixedClock(at)
    )
    assert panel.seed == "00000000000000aa" and panel.drawn_at == at
    svc.seal(s, panel, ZJJ, clock=FixedClock(at.replace(hour=10)))
    assert panel.sealed_at == at.replace(hour=10) and panel.sealed_by == "zjj"


def test_unit_of_work_commits_or_rolls_back(s: Session) -> None:
    def event(name: str) -> AuditEvent:
        return AuditEvent(username=name, action="a", detail={}, prev_hash="", hash="")

    def count(name: str) -> int:
        return len(s.scalars(select(AuditEvent).where(AuditEvent.username == name)).all())

    with pytest.raises(RuntimeError), unit_of_work(s):
        s.add(event("rolled-back"))
        s.flush()
        raise RuntimeError("boom")
    assert count("rolled-back") == 0
    with unit_of_work(s):
        s.add(event("kept"))
    s.close()
    assert count("kept") == 1
