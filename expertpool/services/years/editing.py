"""Edit the latest working year's committees: their data, a new committee, a retired one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.catalogue.loader import LEVELS, SERIES
from expertpool.errors import UserError
from expertpool.models import Applicant, Committee, DrawSession, Meeting, Panel
from expertpool.services import audit
from expertpool.services.panels.sealing import is_sealed
from expertpool.services.years.common import (
    CleanYearData,
    CommitteeYearInput,
    clean_year_data,
    require_bureau,
    require_latest,
)
from expertpool.services.years.opening import LEVEL_LETTER
from expertpool.validators import echo


def year_meetings(session: Session, year: int) -> list[Meeting]:
    """The year's meetings in notice order (senior first, then by 序号)."""
    stmt = (
        select(Meeting)
        .join(Committee, Meeting.committee_id == Committee.id)
        .where(Meeting.year == year)
        .order_by(Committee.level.desc(), Meeting.seq)
    )
    return list(session.scalars(stmt))


def _first_error(errors: dict[str, str]) -> UserError:
    key, message = next(iter(errors.items()))
    return UserError(message, field=key)


def dates_locked(session: Session, meeting: Meeting, clean: CleanYearData) -> str | None:
    """Why the dates may not change: a sealed panel was drawn for them (as for the office's
    own date changes, ``meeting_settings.update_dates``)."""
    same = (meeting.window_start, meeting.window_end, meeting.dossier_deadline) == (
        *clean.window,
        clean.dossier_deadline,
    )
    if same or not is_sealed(session, meeting):
        return None
    return f"{meeting.code}的评委名单已锁定，不能再修改例会时间和报卷截止时间"


def apply_year_data(meeting: Meeting, clean: CleanYearData) -> None:
    """Write the year's data to its meeting and, as the latest year, to the committee."""
    meeting.window_start, meeting.window_end = clean.window
    meeting.period_text = clean.meeting_period
    meeting.dossier_deadline = clean.dossier_deadline
    meeting.profile = clean.profile()
    committee = meeting.committee
    committee.specialties = list(clean.specialties)
    committee.department = clean.department
    committee.contact = clean.contact
    committee.phone = clean.phone


def edit_committee_year(
    session: Session, actor: Actor, meeting: Meeting, data: CommitteeYearInput
) -> Meeting:
    require_bureau(actor)
    require_latest(session, meeting.year)
    clean, errors = clean_year_data(meeting.year, data)
    if clean is None:
        raise _first_error(errors)
    locked = dates_locked(session, meeting, clean)
    if locked:
        raise UserError(locked, field="meeting_period")
    before = {"window": meeting.window_start.isoformat(), "profile": dict(meeting.profile or {})}
    apply_year_data(meeting, clean)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "year_committee_edit",
        meeting.code,
        {"before": before, "after": {"window": clean.window[0].isoformat(), **clean.profile()}},
    )
    return meeting


def level_and_series(name: str) -> tuple[str | None, str | None]:
    """The level (高级/中级) and series a committee's published name states."""
    level = "senior" if "高级" in name else "intermediate" if "中级" in name else None
    found = [(name.find(s), s) for s in SERIES if s in name]
    return level, (min(found)[1] if found else None)


def next_seq(session: Session, year: int, level: str) -> int:
    stmt = (
        select(func.max(Meeting.seq))
        .join(Committee, Meeting.committee_id == Committee.id)
        .where(Meeting.year == year, Committee.level == level)
    )
    return (session.scalar(stmt) or 0) + 1


@dataclass(frozen=True)
class NewCommittee:
    name: str
    data: CommitteeYearInput


def _check_new_name(session: Session, name: str) -> tuple[str, str, str]:
    name = name.strip()
    if not name:
        raise UserError("评委会名称不能为空", field="name")
    if len(name) > 120:
        raise UserError("评委会名称不能超过120个字符", field="name")
    if session.scalar(select(Committee).where(Committee.name == name)) is not None:
        raise UserError(f"已有名为“{echo(name)}”的评委会", field="name")
    level, series = level_and_series(name)
    if level is None:
        raise UserError("评委会名称中应写明“高级”或“中级”", field="name")
    if series is None:
        raise UserError(f"评委会名称中应写明系列（{'、'.join(SERIES)}之一）", field="name")
    return name, level, series


def create_committee(
    session: Session, year: int, name: str, level: str, series: str, clean: CleanYearData
) -> Meeting:
    committee = Committee(
        name=name,
        level=level,
        series=series,
        specialties=list(clean.specialties),
        narrow=len(clean.specialties) <= 2,
    )
    session.add(committee)
    session.flush()
    seq = next_seq(session, year, level)
    meeting = Meeting(
        code=f"{year}-{LEVEL_LETTER[level]}{seq:02d}",
        committee_id=committee.id,
        year=year,
        seq=seq,
        settings={},
        window_start=clean.window[0],
        window_end=clean.window[1],
        dossier_deadline=clean.dossier_deadline,
    )
    meeting.committee = committee
    session.add(meeting)
    apply_year_data(meeting, clean)
    session.flush()
    return meeting


def add_committee(session: Session, actor: Actor, year: int, new: NewCommittee) -> Meeting:
    """A committee first formed in ``year`` (level and series as its name states them)."""
    require_bureau(actor)
    require_latest(session, year)
    name, level, series = _check_new_name(session, new.name)
    clean, errors = clean_year_data(year, new.data)
    if clean is None:
        raise _first_error(errors)
    meeting = create_committee(session, year, name, level, series, clean)
    audit.record(
        session,
        actor.username,
        actor.role,
        "year_committee_add",
        meeting.code,
        {"name": name, "level": LEVELS[level], "series": series, **clean.profile()},
    )
    return meeting


def _in_use(session: Session, meeting: Meeting) -> bool:
    for model in (Applicant, Panel, DrawSession):
        stmt = select(func.count()).select_from(model).where(model.meeting_id == meeting.id)
        if session.scalar(stmt):
            return True
    return False


def retire_committee(session: Session, actor: Actor, meeting: Meeting) -> Committee:
    """The committee no longer meets from ``meeting.year`` on (撤销): that year's meeting is
    removed; its pool, experts and earlier years stay as they were."""
    require_bureau(actor)
    require_latest(session, meeting.year)
    if _in_use(session, meeting):
        raise UserError(
            f"{meeting.code}已有申报人或抽取记录，不能撤销该评委会本年度的例会", field="meeting"
        )
    committee = meeting.committee
    committee.retired_from = meeting.year
    code, year = meeting.code, meeting.year
    session.delete(meeting)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "year_committee_retire",
        code,
        {"name": committee.name, "retired_from": year},
    )
    return committee
