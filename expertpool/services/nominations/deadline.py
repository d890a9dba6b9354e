"""The nomination deadline of a year (Beijing wall-clock), and what a unit may still change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Nomination, YearSetting
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


def set_deadline(session: Session, actor: Actor, year: int, deadline: datetime) -> YearSetting:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以修改推荐截止时间")
    if not (year - 1 <= deadline.year <= year + 1):
        raise UserError(f"截止时间应在{year}年前后", field="deadline")
    setting = session.get(YearSetting, year)
    old = setting.nomination_deadline if setting else None
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
        {"old": old.isoformat() if old else None, "new": setting.nomination_deadline.isoformat()},
    )
    session.flush()
    return setting
