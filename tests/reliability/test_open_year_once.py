"""Opening a working year happens once: two bureau requests released together open it once
and copy its meetings once; the other gets one Chinese message (no IntegrityError page).
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Meeting, WorkingYear
from expertpool.services import years as ys
from tests.reliability.race import one_winner, race

BUREAU = Actor("bureau1", "bureau")


def test_two_requests_open_the_year_once(db: Engine) -> None:
    with session_scope(make_session_factory(db)) as s:
        before = s.scalar(select(func.count()).select_from(Meeting).where(Meeting.year == 2024))
    assert before

    def prepare(s: Session, _i: int) -> None:
        return None

    outcomes = race(db, prepare, lambda s, _i, _p: ys.open_year(s, BUREAU, 2025))
    one_winner(outcomes, "2025年度已由他人开启", "2025年度已经开启")
    with session_scope(make_session_factory(db)) as s:
        copied = s.scalar(select(func.count()).select_from(Meeting).where(Meeting.year == 2025))
        assert copied == before
        opened = s.scalars(select(WorkingYear).where(WorkingYear.year == 2025)).all()
        assert [y.state for y in opened] == ["open"]
        events = select(func.count()).where(AuditEvent.action == "year_open")
        assert s.scalar(events) == 1
