"""What an early-opened year means, in one place for every screen and the CLI.

The usual practice: the bureau opens next year (for example in December) to prepare it while
this year's meetings are still held and filed. So

- the **current working year** (`shown_year`) stays today's year until 1 January, whatever
  was opened after it; every screen shows it by default;
- the early-opened next year is **selectable** (`selectable_years`): the bureau, offices,
  units and regulators switch to it with the year selector, and units nominate for it while
  its nomination window is open;
- only the latest opened year's committees can be edited (see ``common.require_latest``); the
  current year keeps running (draws, meeting records, 备案) but its committee data is frozen
  and its nomination deadline moves only with a recorded reason (``nominations.set_deadline``);
- a year before the current one has ended.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool.models import Meeting, WorkingYear
from expertpool.services.catalogue_sync import default_deadline
from expertpool.services.nominations.deadline import format_datetime
from expertpool.services.years.common import latest_year
from expertpool.services.years.opening import shown_year

CURRENT = "当前年度"
NEXT = "下一年度（已提前开启，筹备中）"
ENDED = "已结束"


def selectable_years(session: Session, today: date) -> list[int]:
    """The current working year and any year opened after it, oldest first."""
    current = shown_year(session, today)
    if current is None:
        return []
    stmt = select(WorkingYear.year).where(WorkingYear.year >= current).order_by(WorkingYear.year)
    return list(session.scalars(stmt))


def year_phase(session: Session, year: int, today: date) -> str:
    """当前年度 / 下一年度（已提前开启，筹备中） / 已结束, relative to today's working year."""
    current = shown_year(session, today)
    if current is None or year == current:
        return CURRENT
    return NEXT if year > current else ENDED


def is_frozen(session: Session, year: int) -> bool:
    """A later year has been opened: this year's committee data and deadline are history."""
    latest = latest_year(session)
    return latest is not None and year < latest


def opening_effects(session: Session, year: int, today: date) -> list[str]:
    """What opening `year` (the next one) changes, as the confirmation lists it."""
    latest = year - 1
    count = session.scalar(select(func.count()).select_from(Meeting).where(Meeting.year == latest))
    current = shown_year(session, today) or latest
    deadline = format_datetime(default_deadline(year))
    early = current < year and today.year < year
    lines = [
        f"从{latest}年度复制{count or 0}个评委会例会到{year}年度（评委会、专业设置、例会时间移到"
        f"同一旬、报卷截止时间、组建部门和联系人），开启后可逐个修改；",
        f"{latest}年度的评委会信息从此不能再修改，推荐截止时间只能在填写原因后修改；"
        f"{latest}年度已抽取、锁定的名单和例会记录、备案照常进行；",
    ]
    if early:
        lines.append(
            f"{current}年度仍是各页面默认显示的当前年度，直到{year}年1月1日；页面顶部出现年度选择，"
            f"市人社局、办事机构、推荐单位和监管可切换到{year}年度；"
        )
    lines.append(
        f"推荐单位可以为{year}年度推荐专家，推荐截止时间默认为{deadline}，开启时可以另定。"
    )
    return lines
