"""Working-day calendars the bureau enters for years the bundled calendar does not cover,
and the 备案 deadline of a meeting (expertpool/workdays.py)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import WorkCalendarYear
from expertpool.services import audit
from expertpool.validators import echo
from expertpool.workdays import Deadline, YearCalendar, covered_by_package, results_deadline


def supplied_years(session: Session) -> dict[int, YearCalendar]:
    out = {}
    for row in session.scalars(select(WorkCalendarYear)):
        out[row.year] = YearCalendar(
            row.year,
            frozenset(date.fromisoformat(d) for d in row.holidays),
            frozenset(date.fromisoformat(d) for d in row.workdays),
        )
    return out


def _dates(text: str, year: int, label: str) -> list[str]:
    out = set()
    for part in re.split(r"[\s,，、;；]+", text.strip()):
        if not part:
            continue
        try:
            day = date.fromisoformat(part)
        except ValueError:
            raise UserError(
                f"{label}：“{echo(part)}”不是日期（应为年-月-日，如 {year}-10-01）", field=label
            ) from None
        if day.year != year:
            raise UserError(f"{label}：“{echo(part)}”不在{year}年", field=label)
        out.add(day.isoformat())
    return sorted(out)


def save_year(
    session: Session, year: int, holidays: str, workdays: str, actor: Actor
) -> WorkCalendarYear:
    """The bureau enters a year's 法定节假日 and 调休上班日 (dates separated by spaces or commas)."""
    if actor.role != "bureau":
        raise UserError("只有市人社局可以录入工作日历", field="year")
    if not 2000 <= year <= 2100:
        raise UserError("年份应在2000到2100之间", field="year")
    if covered_by_package(year):
        raise UserError(f"{year}年的法定节假日已内置在系统日历中，无需录入", field="year")
    hol = _dates(holidays, year, "法定节假日")
    work = _dates(workdays, year, "调休上班日")
    both = sorted(set(hol) & set(work))
    if both:
        raise UserError(f"{both[0]}不能既是节假日又是调休上班日", field="调休上班日")
    row = session.scalar(select(WorkCalendarYear).where(WorkCalendarYear.year == year))
    if row is None:
        row = WorkCalendarYear(year=year)
        session.add(row)
    row.holidays, row.workdays, row.entered_by = hol, work, actor.username
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "work_calendar",
        str(year),
        {"holidays": hol, "workdays": work},
    )
    return row


def deadline_after(session: Session, ended: date) -> Deadline:
    """20 working days after the meeting's last day, and never after 31 December of that year
    (大人社发〔2024〕45号 五(二)：评审结果备案工作须在本年度内完成)."""
    deadline = results_deadline(ended, supplied_years(session))
    year_end = date(ended.year, 12, 31)
    if deadline.day is not None and deadline.day > year_end:
        return Deadline(year_end, "备案须在本年度内完成")
    return deadline
