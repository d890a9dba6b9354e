"""The demo's calendar: every year from the shipped catalogue to today's, lived through.

Earlier years are opened with ``years.open_year``, their meetings drawn, sealed, signed in,
voted, closed and filed through the real services (seeded, stamped with a fixed clock at
the meeting's dates), so service records and rotation are the system's own. Today's year
gets each meeting the state its dates give: over → held and closed; dossiers in and not
yet met → sealed (every other one) or not yet drawn; dossiers still open → not drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import FixedClock
from expertpool.errors import UserError
from expertpool.models import Meeting, MeetingDay, User, UserCommittee
from expertpool.seeds import SeedSequence
from expertpool.services import meeting_record as mr
from expertpool.services import panels
from expertpool.services import years as ys
from expertpool.workdays import likely_workday

DEMO_BUREAU = Actor("rsj", "bureau")
DEMO_OFFICE = Actor("演示办事机构", "office")  # committees without a demo office account
# Senior 评聘分开 committees may pass at most half (the notice); the demo stays below.
PASS_SHARE = 0.45

AddApplicants = Callable[[list[Meeting]], None]


@dataclass
class History:
    """What the timeline did, by meeting state (codes)."""

    opened: list[int] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    sealed: list[str] = field(default_factory=list)
    undrawn: list[str] = field(default_factory=list)


def meeting_day(meeting: Meeting) -> date:
    """The first working day of the meeting's window (Monday–Friday where the calendar
    does not reach)."""
    day = meeting.window_start
    while day < meeting.window_end:
        if likely_workday(day):
            return day
        day += timedelta(days=1)
    return day


def _utc(day: date, hour: int) -> FixedClock:
    """A clock at ``hour``:00 Beijing time on ``day`` (FixedClock reads UTC)."""
    return FixedClock(datetime.combine(day, time(hour)) - timedelta(hours=8))


def _office(session: Session, meeting: Meeting) -> Actor:
    stmt = (
        select(User.username)
        .join(UserCommittee, UserCommittee.user_id == User.id)
        .where(UserCommittee.committee_id == meeting.committee_id, User.role == "office")
        .order_by(User.id)
    )
    username = session.scalar(stmt)
    return Actor(username, "office") if username else DEMO_OFFICE


def _seal(session: Session, meeting: Meeting, seeds: SeedSequence, on: date) -> bool:
    """Draw and seal on ``on``; False when the demo pool has no compliant panel."""
    office = _office(session, meeting)
    clock = _utc(on, 10)
    attempt = session.begin_nested()  # a failed draw leaves no trace: the meeting stays undrawn
    try:
        panel = panels.draw_meeting(session, meeting, office, seeds=seeds, clock=clock)
    except UserError:
        attempt.rollback()
        return False
    if panel.status != "drawn":
        attempt.rollback()
        return False
    panels.seal(session, panel, office, clock=clock)
    attempt.commit()
    return True


def _votes(day: MeetingDay, meeting: Meeting) -> dict[str, mr.Counts]:
    rows: dict[str, mr.Counts] = {}
    passing = int(len(meeting.applicants) * PASS_SHARE)
    for i, app in enumerate(meeting.applicants):
        n = mr.voters(day, app)
        yes = n if i < passing else n // 3
        rows[app.code] = mr.Counts(yes, n - yes, 0)
    return rows


def _hold(session: Session, meeting: Meeting, on: date, *, file: bool) -> None:
    """Everybody signs in, every applicant is voted on, the record is closed (and filed)."""
    office = _office(session, meeting)
    clock = _utc(on, 9)
    day = mr.open_day(session, meeting, clock)
    marks = {seat.expert.code: mr.Mark(True) for seat in mr.seated(session, day)}
    # Each row's queries read only rows already flushed (rules, seats); without autoflush
    # a meeting of 100 applicants is not flushed 100 times. The services flush at the end.
    with session.no_autoflush:
        mr.save_attendance(session, meeting, marks, office, on, version=day.version, clock=clock)
        votes = _votes(day, meeting)
        mr.save_votes(session, meeting, votes, office, version=day.version, clock=clock)
    mr.close(session, meeting, office, ended_on=on, version=day.version, clock=_utc(on, 17))
    if file:
        filed_on = on + timedelta(days=14)
        mr.mark_filed(session, meeting, DEMO_BUREAU, filed_on, clock=_utc(filed_on, 10))


def _live_meeting(
    session: Session, meeting: Meeting, seeds: SeedSequence, today: date, history: History
) -> None:
    held_on = meeting_day(meeting)
    draw_on = max(meeting.dossier_deadline + timedelta(days=1), held_on - timedelta(days=7))
    if held_on < today and _seal(session, meeting, seeds, draw_on):
        _hold(session, meeting, held_on, file=held_on + timedelta(days=14) < today)
        history.closed.append(meeting.code)
    elif meeting.dossier_deadline < today <= held_on and meeting.seq % 2 == 1:
        if _seal(session, meeting, seeds, min(today, draw_on)):
            history.sealed.append(meeting.code)
        else:
            history.undrawn.append(meeting.code)
    else:
        history.undrawn.append(meeting.code)


def live_through(
    session: Session,
    base_year: int,
    target_year: int,
    today: date,
    seed: int,
    add_applicants: AddApplicants,
) -> History:
    """Open every year after ``base_year`` up to ``target_year`` and give each meeting of
    each year the state ``today`` implies. ``add_applicants`` fills a new year's meetings."""
    history = History()
    seeds = SeedSequence(f"demo-{seed}")
    for year in range(base_year, target_year + 1):
        if year > base_year:
            ys.open_year(session, DEMO_BUREAU, year)
            history.opened.append(year)
            add_applicants(ys.year_meetings(session, year))
        for meeting in ys.year_meetings(session, year):
            _live_meeting(session, meeting, seeds, today, history)
    return history
