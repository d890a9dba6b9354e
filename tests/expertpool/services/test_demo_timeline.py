"""The demo lives in the injected clock's calendar: years opened up to today's, earlier
meetings held and closed by the real services, today's meetings in the state their dates
give, nominations open or closed by the date, names that match the 性别."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from expertpool import demo_data as D
from expertpool.db import make_session_factory, session_scope
from expertpool.models import (
    Expert,
    Meeting,
    MeetingDay,
    Nomination,
    Panel,
    PanelSeat,
    ServiceRecord,
    WorkingYear,
)
from expertpool.services import demo, demo_review, pool
from expertpool.services import years as ys
from expertpool.services.nominations import nominations_open
from expertpool.validators import id_card_gender

DEC_1 = datetime(2026, 12, 1, 10, 0)
MAY_10 = datetime(2026, 5, 10, 10, 0)
SIZE = 60  # per senior committee: enough for the default panels, quick to build


def _build(db: Engine, now: datetime) -> None:
    with session_scope(make_session_factory(db)) as s:
        demo.load_demo(s, experts_per_committee=SIZE, now=now)


def _states(s: Session, year: int) -> dict[str, str]:
    """Meeting code -> closed | sealed | undrawn."""
    out = {}
    for meeting in s.scalars(select(Meeting).where(Meeting.year == year)):
        day = s.scalar(select(MeetingDay).where(MeetingDay.meeting_id == meeting.id))
        panel = s.scalar(
            select(Panel).where(Panel.meeting_id == meeting.id, Panel.status == "sealed")
        )
        out[meeting.code] = (
            "closed"
            if day is not None and day.state in ("closed", "filed")
            else "sealed"
            if panel is not None
            else "undrawn"
        )
    return out


def _service_years(s: Session) -> dict[tuple[int, int], set[int]]:
    years: dict[tuple[int, int], set[int]] = defaultdict(set)
    for r in s.scalars(select(ServiceRecord).where(ServiceRecord.attended.is_(True))):
        years[(r.expert_id, r.committee_id)].add(r.year)
    return years


def test_demo_on_1_december_2026(db: Engine) -> None:
    _build(db, DEC_1)
    today = DEC_1.date()
    with session_scope(make_session_factory(db)) as s:
        assert [w.year for w in s.scalars(select(WorkingYear).order_by(WorkingYear.year))] == [
            2024,
            2025,
            2026,
        ]
        assert ys.shown_year(s, today) == 2026
        for year in (2024, 2025):
            assert set(_states(s, year).values()) == {"closed"}, year
        now_states = _states(s, 2026)
        for meeting in s.scalars(select(Meeting).where(Meeting.year == 2026)):
            state = now_states[meeting.code]
            if meeting.window_end < today:
                assert state in ("closed", "undrawn"), meeting.code  # undrawn: pool too thin
            else:
                assert state in ("sealed", "undrawn"), meeting.code
        assert {"closed", "sealed", "undrawn"} <= set(now_states.values())
        # Nominations closed on 31 July; the pending ones were sent before it.
        assert not nominations_open(s, 2026, DEC_1)
        sent = list(s.scalars(select(Nomination).where(Nomination.year == 2026)))
        assert sent and all(n.submitted_at <= datetime(2026, 7, 31, 23, 59, 59) for n in sent)
        # Rotation from the recorded service: nobody sits a 4th consecutive year.
        served = _service_years(s)
        for seat, meeting in s.execute(
            select(PanelSeat, Meeting)
            .join(Panel, Panel.id == PanelSeat.panel_id)
            .join(Meeting, Meeting.id == Panel.meeting_id)
            .where(Meeting.year == 2026, PanelSeat.role == "member", Panel.status == "sealed")
        ):
            assert not {2023, 2024, 2025} <= served[(seat.expert_id, meeting.committee_id)]
        assert any(
            {2024, 2025} <= years for years in served.values()
        )  # real service in consecutive years
        # Confidentiality: a member of a sealed, upcoming panel shows no seat on it yet.
        upcoming = next(c for c, st in now_states.items() if st == "sealed")
        member = s.scalar(
            select(PanelSeat)
            .join(Panel, Panel.id == PanelSeat.panel_id)
            .join(Meeting, Meeting.id == Panel.meeting_id)
            .where(Meeting.code == upcoming, PanelSeat.role == "member")
            .limit(1)
        )
        assert member is not None
        record = pool.expert_record(s, member.expert_id, today)
        assert upcoming not in {row.meeting_code for row in record.seats}
        assert all(
            (r.year, r.committee_name) != (2026, m.committee.name)
            for r in record.services
            for m in s.scalars(select(Meeting).where(Meeting.code == upcoming))
        )


def test_demo_on_10_may_2026(db: Engine) -> None:
    _build(db, MAY_10)
    with session_scope(make_session_factory(db)) as s:
        assert set(_states(s, 2025).values()) == {"closed"}
        assert set(_states(s, 2026).values()) == {"undrawn"}
        assert nominations_open(s, 2026, MAY_10)
        sent = list(s.scalars(select(Nomination).where(Nomination.year == 2026)))
        assert sent and all(n.submitted_at == MAY_10 for n in sent)
        assert {n.status for n in sent} == {"已提交"}  # the window is open: nothing reviewed


def test_demo_names_match_genders(demo_db: Engine) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        people = [(e.name, e.gender, e.id_card) for e in s.scalars(select(Expert))]
        people += [(n.name, n.gender, n.id_card) for n in s.scalars(select(Nomination))]
    for name, gender, card in people:
        chars = D.GIVEN_FEMALE if gender == "女" else D.GIVEN_MALE
        assert all(c in chars for c in name[1:]), (name, gender)
        assert id_card_gender(card) == gender, (name, card)


def test_demo_refuses_a_year_before_the_catalogue(db: Engine) -> None:
    import pytest

    from expertpool.errors import UserError

    with (
        session_scope(make_session_factory(db)) as s,
        pytest.raises(UserError, match="2024年度开始"),
    ):
        demo.load_demo(s, experts_per_committee=SIZE, now=datetime(2023, 6, 1))


def test_demo_in_december_has_reviewed_nominations_and_entry_dates(db: Engine) -> None:
    _build(db, DEC_1)
    deadline = datetime(2026, 7, 31, 23, 59, 59)
    with session_scope(make_session_factory(db)) as s:
        sent = list(s.scalars(select(Nomination).where(Nomination.year == 2026)))
        by_status = Counter(n.status for n in sent)
        pending = [n for n in sent if n.status == "已提交"]
        # Most reviewed by the demo's review deadline; only the one flagged as already in the
        # pool waits in the queue.
        assert by_status["已通过"] > len(sent) / 2 and len(pending) == 1, by_status
        cards = set(
            s.scalars(
                select(Expert.id_card).where(
                    Expert.id.not_in([n.expert_id for n in sent if n.expert_id is not None])
                )
            )
        )
        assert pending[0].id_card in cards
        for n in sent:
            if n.status != "已提交":
                assert deadline < n.reviewed_at <= deadline + timedelta(days=30), n.id
        approved = {n.expert_id for n in sent if n.status == "已通过"}
        entered = {e.id: e.created_at for e in s.scalars(select(Expert))}
        for expert_id, at in entered.items():
            if expert_id in approved:  # entered when the bureau approved them
                assert deadline < at <= deadline + timedelta(days=30)
            else:  # the demo pool: years before the demo's first year (2024), spread out
                assert datetime(2014, 1, 1) <= at < datetime(2021, 1, 1), (expert_id, at)
        assert len({at.date() for at in entered.values()}) > len(entered) / 3


def test_demo_entry_dates_follow_the_seed() -> None:
    def dates(seed: int) -> list[datetime]:
        experts = [Expert() for _ in range(20)]
        demo_review.spread_pool_entry(experts, 2024, seed)
        return [e.created_at for e in experts]

    assert dates(7) == dates(7) and dates(7) != dates(8)
