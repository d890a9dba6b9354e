"""Load a year's committee catalogue (评委会目录) into the database; safe to run again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool.catalogue.loader import CommitteeSpec, available_years, load_catalogue
from expertpool.models import Committee, Meeting, WorkingYear, YearSetting


def default_deadline(year: int) -> datetime:
    """Nominations close at 23:59:59 Asia/Shanghai on 31 July (the notice: 7月底前)."""
    return datetime(year, 7, 31, 23, 59, 59)


def spec_profile(spec: CommitteeSpec) -> dict[str, Any]:
    """The per-year committee data a meeting keeps (``Meeting.profile``)."""
    return {
        "specialties": list(spec.specialties),
        "specialty_text": spec.specialty_text,
        "dossier_period": spec.dossier_deadline_period,
        "department": spec.department,
        "contact": spec.contact,
        "phone": spec.phone,
    }


def _apply_spec(committee: Committee, spec: CommitteeSpec) -> None:
    committee.level = spec.level
    committee.series = spec.series
    committee.specialties = list(spec.specialties)
    committee.narrow = spec.narrow
    committee.department = spec.department
    committee.contact = spec.contact
    committee.phone = spec.phone


def sync_year(session: Session, year: int) -> int:
    """Upsert committees and that year's meetings; returns the number of meetings.

    Once a later working year is open, committees keep that year's values: running ``init``
    again must not put the shipped catalogue's specialties or contacts back."""
    specs = load_catalogue(year)
    later = session.scalar(select(func.max(WorkingYear.year)))
    current = later is None or later <= year
    for spec in specs:
        committee = session.scalar(select(Committee).where(Committee.name == spec.name))
        if committee is None:
            committee = Committee(name=spec.name)
            session.add(committee)
            _apply_spec(committee, spec)
        elif current:
            _apply_spec(committee, spec)
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
                profile=spec_profile(spec),
            )
            session.add(meeting)
    if session.get(YearSetting, year) is None:
        session.add(YearSetting(year=year, nomination_deadline=default_deadline(year)))
    if session.get(WorkingYear, year) is None:
        session.add(WorkingYear(year=year, opened_from=None, opened_by="system", state="open"))
    session.flush()
    return len(specs)


def sync_all(session: Session) -> dict[int, int]:
    return {year: sync_year(session, year) for year in available_years()}
