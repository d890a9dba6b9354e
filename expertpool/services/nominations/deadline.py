"""The nomination deadline of a year (Beijing wall-clock), and what a unit may still change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Nomination, WorkingYear, YearSetting
from expertpool.services import audit
from expertpool.services.catalogue_sync import default_deadline

EDITABLE_STATUSES = ("已提交", "已退回")


def nomination_deadline(session: Session, year: int) -> datetime:
    setting = session.get(YearSetting, year)
    return setting.nomination_deadline if setting else default_deadline(year)


def nominations_open(session: Session, year: int, now: datetime) -> bool:
    return now <= nomination_deadline(session, year)


def format_datetime(value: datetime) -> str:
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


def ensure_open(session: Session, year: int, now: datetime) -> None:
    deadline = nomination_deadline(session, year)
    if now > deadline:
        raise UserError(
            f"{year}年评审专家推荐已于{format_datetime(deadline)}截止，不能再提交、修改或撤回推荐",
            field="deadline",
        )


def may_change(status: str, *, is_open: bool) -> bool:
    """Whether the unit may edit or withdraw a nomination of ``status``.

    Until the deadline every 已提交 or 已退回 nomination may be changed. After it only a
    nomination the bureau returned for correction (已退回) may: review happens after the
    deadline, so closing those too would make 退回修改 a dead end.
    """
    return status == "已退回" or (is_open and status in EDITABLE_STATUSES)


def unit_can_change(session: Session, nomination: Nomination, now: datetime) -> bool:
    """``may_change`` for ``nomination`` at ``now`` (its own year's deadline)."""
    return may_change(nomination.status, is_open=nominations_open(session, nomination.year, now))


def ensure_changeable(session: Session, nomination: Nomination, now: datetime) -> bool:
    """Refuse a unit's change the deadline forbids; True when allowed only as a correction."""
    if nomination.status == "已退回":
        return not nominations_open(session, nomination.year, now)
    ensure_open(session, nomination.year, now)
    return False


MAX_REASON_CHARS = 200


def _frozen_reason(session: Session, year: int, reason: str) -> str:
    """A year after which a later one has been opened is history: moving its deadline (which
    may reopen its nominations) needs a recorded reason; for the latest year "" is kept."""
    latest = session.scalar(select(func.max(WorkingYear.year)))
    if latest is None or year >= latest:
        return ""
    text = (reason or "").strip()
    if not text:
        raise UserError(
            f"已开启{latest}年度，{year}年度的推荐截止时间只能在填写原因后修改"
            "（修改后可能重新开放该年度的推荐）",
            field="reason",
        )
    if len(text) > MAX_REASON_CHARS:
        raise UserError(f"修改原因不能超过{MAX_REASON_CHARS}个字符", field="reason")
    return text


def set_deadline(
    session: Session, actor: Actor, year: int, deadline: datetime, *, reason: str = ""
) -> YearSetting:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以修改推荐截止时间")
    if not (year - 1 <= deadline.year <= year + 1):
        raise UserError(f"截止时间应在{year}年前后", field="deadline")
    setting = session.get(YearSetting, year)
    old = setting.nomination_deadline if setting else None
    unchanged = old == deadline.replace(microsecond=0)
    why = "" if unchanged else _frozen_reason(session, year, reason)
    if setting is None:
        setting = YearSetting(year=year, nomination_deadline=deadline)
        session.add(setting)
    setting.nomination_deadline = deadline.replace(microsecond=0)
    audit.record(
        session,
        actor.username,
        actor.role,
        "settings",
        f"{year}年推荐截止时间",
        {"old": old.isoformat() if old else None, "new": setting.nomination_deadline.isoformat()}
        | ({"reason": why} if why else {}),
    )
    session.flush()
    return setting
