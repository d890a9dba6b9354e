"""Dates that make sense (meeting_dates): a meeting's real end (closed record, else the
window), confidentiality keyed on it against a fixed clock, honest service history, and
drawing for a meeting that has already ended only with a recorded reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import FixedClock
from expertpool.db import make_session_factory
from expertpool.errors import UserError
from expertpool.models import AuditEvent, DrawSession, Meeting, Panel
from expertpool.seeds import SeedSequence
from expertpool.services import draw_sessions as ds_svc
from expertpool.services import job_runner
from expertpool.services import meeting_dates as md
from expertpool.services import meeting_record as mr
from expertpool.services import panels as svc
from expertpool.services import pool as pool_svc
from expertpool.services import season as season_svc
from expertpool.services.packages import served_years
from tests.builders import S01, ZJJ, small_meeting

SUPERVISOR = Actor("jianguan", "regulator")
START, END = date(2024, 10, 21), date(2024, 10, 31)  # 2024-S01's window (10月下旬)


def at(day: date) -> FixedClock:
    """10:00 Beijing time on `day` (02:00 UTC)."""
    return FixedClock(datetime(day.year, day.month, day.day, 2, 0, 0))


@pytest.fixture
def s(demo_db: Engine) -> Iterator[Session]:
    session = make_session_factory(demo_db)()
    yield session
    session.rollback()
    session.close()


def sealed(s: Session, seeds: SeedSequence) -> tuple[Meeting, Panel]:
    meeting = small_meeting(s, S01)
    assert (meeting.window_start, meeting.window_end) == (START, END)
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    svc.seal(s, panel, ZJJ)
    return meeting, panel


def members(panel: Panel) -> list[int]:
    return sorted(x.expert_id for x in panel.seats if x.role == "member")


def this_year(r: pool_svc.ExpertRecord) -> list[str]:
    """The 2024 service rows (the demo pool has service history from earlier years)."""
    return [x.attendance for x in r.services if x.year == 2024]


def close_record(s: Session, meeting: Meeting, absent: int, ended_on: date) -> None:
    """Sign everyone in but `absent` (因病), vote, close the record ending on `ended_on`."""
    day = mr.open_day(s, meeting)
    marks = {
        x.expert.code: mr.Mark(False, "因病") if x.expert.id == absent else mr.Mark(True)
        for x in mr.seated(s, day)
    }
    mr.save_attendance(s, meeting, marks, ZJJ, START, version=day.version)
    votes = {a.code: mr.Counts(0, mr.voters(day, a), 0) for a in meeting.applicants}
    mr.save_votes(s, meeting, votes, ZJJ, version=day.version)
    mr.close(s, meeting, ZJJ, ended_on=ended_on, version=day.version)


def test_when_before_during_and_after_the_window(s: Session) -> None:
    meeting = s.scalar(select(Meeting).where(Meeting.code == S01))
    assert meeting is not None
    before = md.when(s, meeting, date(2024, 10, 1))
    assert before.phase == "upcoming" and before.text == "距例会开始还有20天（2024年10月21日）"
    assert not before.soon and md.when(s, meeting, date(2024, 10, 8)).soon
    for day in (START, END):
        during = md.when(s, meeting, day)
        assert during.phase == "running" and "例会进行中" in during.text
        assert md.is_confidential(s, meeting, day) and not md.has_ended(s, meeting, day)
    after = md.when(s, meeting, END + timedelta(days=1))
    assert after.phase == "ended" and after.text == "例会已于2024年10月31日结束"
    assert md.has_ended(s, meeting, date(2026, 12, 1))
    assert md.confidential_until(s, meeting) == END


def test_upcoming_and_running_meetings_stay_confidential(s: Session, seeds: SeedSequence) -> None:
    meeting, panel = sealed(s, seeds)
    expert = members(panel)[0]
    for day in (date(2024, 10, 1), START, END):  # before and during the window
        r = pool_svc.expert_record(s, expert, today=day)
        assert r.seats == [] and this_year(r) == []
        assert [x for x in r.no_shows if x.year == 2024] == []
    # After the window, without a closed record: the seat, and no claim of attendance.
    r = pool_svc.expert_record(s, expert, today=END + timedelta(days=1))
    assert [x.meeting_code for x in r.seats] == [S01]
    assert this_year(r) == ["待例会记录"]
    # Rotation still counts the sealed seat (draw-format `served`), before the meeting too.
    assert 2024 in served_years(s, meeting.committee_id, [expert])[expert]


def test_a_closed_record_ends_the_meeting_early_with_the_recorded_attendance(
    s: Session, seeds: SeedSequence
) -> None:
    meeting, panel = sealed(s, seeds)
    present, absent = members(panel)[:2]
    ended_on = date(2024, 10, 22)
    close_record(s, meeting, absent, ended_on)
    assert md.end_of(s, meeting) == ended_on and md.confidential_until(s, meeting) == ended_on
    assert md.is_confidential(s, meeting, ended_on)
    next_day = ended_on + timedelta(days=1)  # still inside the window, but the meeting is over
    assert md.when(s, meeting, next_day).text == "例会已于2024年10月22日结束"
    here = pool_svc.expert_record(s, present, today=next_day)
    gone = pool_svc.expert_record(s, absent, today=next_day)
    assert this_year(here) == ["出席"] and this_year(gone) == ["缺席"]
    assert [x.year for x in gone.no_shows if x.year == 2024] == [2024]
    assert "因病" in gone.no_shows[0].note
    assert this_year(pool_svc.expert_record(s, absent, today=ended_on)) == []
    # The recorded absence takes the year out of rotation; the attended one stays in.
    served = served_years(s, meeting.committee_id, [present, absent])
    assert 2024 in served[present] and 2024 not in served.get(absent, [])


def test_drawing_a_past_meeting_needs_a_recorded_reason(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s, S01)
    late = at(date(2026, 12, 1))
    before = s.scalar(select(func.count()).select_from(DrawSession))
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(UserError) as err:
            ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, past_reason=bad, clock=late)
        assert err.value.field == "past_reason"
    assert "已于2024年10月31日结束" in str(err.value) or "200" in str(err.value)
    assert s.scalar(select(func.count()).select_from(DrawSession)) == before
    assert svc.current_panel(s, meeting) is None
    ds = ds_svc.open_single(
        s, meeting, ZJJ, seeds=seeds, past_reason="补录当年例会名单", clock=late
    )
    assert ds.past_reason == "补录当年例会名单"
    commit = s.scalars(select(AuditEvent).where(AuditEvent.action == "draw_commit")).all()[-1]
    assert commit.detail["past_reason"] == "补录当年例会名单"
    ds_svc.enter_second_part(s, ds, "监督人 1201", SUPERVISOR, clock=late)
    panel = svc.current_panel(s, meeting)
    assert panel is not None and panel.past_reason == "补录当年例会名单"
    drawn = s.scalars(select(AuditEvent).where(AuditEvent.action == "draw")).all()[-1]
    assert drawn.detail["past_reason"] == "补录当年例会名单"


def test_upcoming_meetings_draw_as_before(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s, S01)
    for day in (date(2024, 10, 1), END):  # before the window, and its last day
        ds = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, past_reason="多余", clock=at(day))
        assert ds.past_reason == ""
        ds_svc.abandon(s, ds, "测试", ZJJ, clock=at(day))


def test_a_season_run_with_past_meetings_needs_a_reason_kept_on_their_panels(
    s: Session, seeds: SeedSequence, demo_db: Engine
) -> None:
    late = at(date(2024, 11, 25))  # some 2024 meetings have ended, others not yet
    meetings = list(s.scalars(select(Meeting).where(Meeting.year == 2024)))
    for m in meetings:  # rules the demo pool can satisfy
        m.settings = {"panel_size": 11, "min_full_senior_share": "1/4"}
        if m.committee.level != "senior":
            m.settings = {"panel_size": 5}
    s.flush()
    ended = {m.code for m in meetings if m.window_end < date(2024, 11, 25)}
    assert ended and len(ended) < len(meetings)
    with pytest.raises(UserError, match="已经结束") as err:
        ds_svc.open_season(s, 2024, 2, Actor("rsj", "bureau"), seeds=seeds, clock=late)
    assert err.value.field == "past_reason"
    reason = "年度补抽"
    ds = ds_svc.open_season(
        s, 2024, 2, Actor("rsj", "bureau"), seeds=seeds, past_reason=reason, clock=late
    )
    assert ds.past_reason == reason
    ds_svc.enter_second_part(s, ds, "监督人 1125", SUPERVISOR, clock=late)
    # The run is queued with the meetings ended at the second part; a worker draws it.
    s.commit()
    factory = make_session_factory(demo_db)
    assert job_runner.work(factory, job_runner.Options(clock=late), drain=True) == 1
    s.refresh(ds)
    run = season_svc.load_run(s, ds.run_id)
    assert run is not None and set(run["past"]) == ended
    assert set(run["past"].values()) == {reason}
    data = season_svc.load_season(s, run["season_sha256"])
    assert data is not None
    stored = svc.store_plan(
        s, 2024, data, run["plan"], Actor("rsj", "bureau"), run_id=ds.run_id, past=run["past"]
    )
    by_code = {p.meeting.code: p.past_reason for p in stored}
    assert by_code and all(by_code[c] == reason for c in ended if c in by_code)
    assert all(by_code[c] == "" for c in by_code if c not in ended)
    assert any(c in by_code for c in ended) and any(c not in ended for c in by_code)
