"""Open a working year from the previous one, and which year the screens show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.catalogue.periods import period_deadline, period_window
from expertpool.errors import UserError
from expertpool.models import Committee, Meeting, WorkingYear, YearSetting
from expertpool.services import audit
from expertpool.services.catalogue_sync import default_deadline
from expertpool.services.years.common import latest_year, require_bureau
from expertpool.validators import ValidationError
from expertpool.workdays import likely_workday

LEVEL_LETTER = {"senior": "S", "intermediate": "M"}


def shown_year(session: Session, today: date) -> int | None:
    """The year every screen shows: today's year once opened, else the latest opened year."""
    if session.get(WorkingYear, today.year) is not None:
        return today.year
    return latest_year(session)


@dataclass(frozen=True)
class YearRow:
    year: WorkingYear
    meetings: int
    deadline: datetime


def list_years(session: Session) -> list[YearRow]:
    """Every opened year, newest first, with its meeting count and nomination deadline."""
    counts: dict[int, int] = {
        year: count
        for year, count in session.execute(
            select(Meeting.year, func.count()).group_by(Meeting.year)
        )
    }
    rows = []
    for wy in session.scalars(select(WorkingYear).order_by(WorkingYear.year.desc())):
        setting = session.get(YearSetting, wy.year)
        deadline = setting.nomination_deadline if setting else default_deadline(wy.year)
        rows.append(YearRow(wy, counts.get(wy.year, 0), deadline))
    return rows


def _same_day(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def _workday_on_or_before(day: date) -> date:
    """A copied deadline that lands on a weekend or holiday moves back to the working day
    before it; years the calendar lacks fall back to Monday–Friday."""
    for _ in range(15):
        if likely_workday(day):
            return day
        day -= timedelta(days=1)
    return day


def moved_window(meeting: Meeting, year: int) -> tuple[date, date]:
    """The meeting period in ``year``: the same 旬 when it has one, else the same dates."""
    try:
        return period_window(year, meeting.period_text)
    except ValidationError:
        return _same_day(meeting.window_start, year), _same_day(meeting.window_end, year)


def moved_deadline(meeting: Meeting, year: int) -> date:
    period = str((meeting.profile or {}).get("dossier_period") or "")
    try:
        return period_deadline(year, period)
    except ValidationError:
        return _workday_on_or_before(_same_day(meeting.dossier_deadline, year))


def committee_profile(committee: Committee) -> dict[str, Any]:
    return {
        "specialties": list(committee.specialties),
        "specialty_text": "、".join(committee.specialties),
        "dossier_period": "",
        "department": committee.department,
        "contact": committee.contact,
        "phone": committee.phone,
    }


def _copy_meeting(meeting: Meeting, year: int) -> Meeting:
    window = moved_window(meeting, year)
    letter = LEVEL_LETTER[meeting.committee.level]
    profile = dict(meeting.profile or committee_profile(meeting.committee))
    return Meeting(
        code=f"{year}-{letter}{meeting.seq:02d}",
        committee_id=meeting.committee_id,
        year=year,
        seq=meeting.seq,
        window_start=window[0],
        window_end=window[1],
        dossier_deadline=min(moved_deadline(meeting, year), window[0]),
        period_text=meeting.period_text,
        settings=dict(meeting.settings or {}),
        profile=profile,
    )


def _check_new_year(session: Session, year: int, from_year: int | None) -> int:
    latest = latest_year(session)
    if latest is None:
        raise UserError("尚未载入任何年度的评委会目录，请先运行 expertpool init", field="year")
    if session.get(WorkingYear, year) is not None:
        raise UserError(f"{year}年度已经开启", field="year")
    source = latest if from_year is None else from_year
    if source != latest or year != latest + 1:
        raise UserError(f"只能在最新的{latest}年度基础上开启{latest + 1}年度", field="year")
    return source


def _claim_year(session: Session, actor: Actor, year: int, source: int) -> WorkingYear:
    """The year's row first: two requests opening the same year at once both pass the
    check above, and the primary key lets only one of them in (the other waits for the
    first commit, then fails here); the loser's caller rolls back, so nothing is copied
    twice and the loser gets a message, not an error page."""
    opened = WorkingYear(year=year, opened_from=source, opened_by=actor.username, state="open")
    session.add(opened)
    try:
        session.flush()
    except IntegrityError:
        raise UserError(f"{year}年度已由他人开启，请刷新页面", field="year") from None
    return opened


def open_year(
    session: Session,
    actor: Actor,
    year: int,
    *,
    from_year: int | None = None,
    deadline: datetime | None = None,
) -> WorkingYear:
    """Copy the previous year's committees (retired ones left out) into ``year``.

    Periods move to the new year, deadlines and organisers are copied, rule settings kept;
    the nomination deadline defaults to 31 July. Pools, experts and service records belong
    to the committees, so they carry over untouched."""
    require_bureau(actor)
    source = _check_new_year(session, year, from_year)
    opened = _claim_year(session, actor, year, source)
    previous = session.scalars(
        select(Meeting).where(Meeting.year == source).order_by(Meeting.id)
    ).all()
    copied = [
        _copy_meeting(m, year)
        for m in previous
        if m.committee.retired_from is None or m.committee.retired_from > year
    ]
    session.add_all(copied)
    nomination_deadline = (deadline or default_deadline(year)).replace(microsecond=0)
    setting = session.get(YearSetting, year)
    if setting is None:
        session.add(YearSetting(year=year, nomination_deadline=nomination_deadline))
    else:
        setting.nomination_deadline = nomination_deadline
    older_open = select(WorkingYear).where(WorkingYear.state == "open", WorkingYear.year != year)
    for older in session.scalars(older_open):
        older.state = "closed"
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "year_open",
        f"{year}年度",
        {
            "from": source,
            "meetings": sorted(m.code for m in copied),
            "nomination_deadline": nomination_deadline.isoformat(),
        },
    )
    return opened
