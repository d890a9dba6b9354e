"""Load a year's committee catalogue (评委会目录) into the database; safe to run again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.catalogue.loader import available_years, load_catalogue
from expertpool.models import Committee, Meeting, YearSetting


def default_deadline(year: int) -> datetime:
    """Nominations close at 23:59:59 Asia/Shanghai on 31 July (the notice: 7月底前)."""
    return datetime(year, 7, 31, 23, 59, 59)


def sync_year(session: Session, year: int) -> int:
    """Upsert committees and that year's meetings; returns the number of meetings."""
    specs = load_catalogue(year)
    for spec in specs:
        committee = session.scalar(select(Committee).where(Committee.name == spec.name))
        if committee is None:
            committee = Committee(name=spec.name)
            session.add(committee)
        committee.level = spec.level
        committee.series = spec.series
        committee.specialties = list(spec.specialties)
        committee.narrow = spec.narrow
        committee.department = spec.department
        committee.contact = spec.contact
        committee.phone = spec.phone
        session.flush()
        meeting = session.scalar(select(Meeting).where(Meeting.code == spec.code))
        if meeting is None:
            # Window and deadline are the catalogue's; offices may edit them afterwards.
            meeting = Meeting(
                code=spec.code,
                committee_id=committee.id,
                year=year,
                seq=spec.seq,
                window_start=spec.window[0],
                window_end=spec.window[1],
                dossier_deadline=spec.dossier_deadline,
                period_text=spec.meeting_period,
                settings={},
            )
            session.add(meeting)
    if session.get(YearSetting, year) is None:
        session.add(YearSetting(year=year, nomination_deadline=default_deadline(year)))
    session.flush()
    return len(specs)


def sync_all(session: Session) -> dict[int, int]:
    return {year: sync_year(session, year) for year in available_years()}
