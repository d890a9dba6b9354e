"""Recording a contact or a reply, and the answer deadline.

A reply is recorded only against the state the office saw (its ``version``): the update is
conditional, so of two tabs recording at once one wins and the other is told, changing
nothing. A 请辞 is the existing decline: the same service `expertpool replace` calls, so the
replacement, the panel's ``declines`` record and ``verify --replay`` are the same.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import NoticeAttempt, NoticeDeadline, NoticeState, Panel, PanelSeat
from expertpool.services import audit
from expertpool.services.notices.board import CHANNELS, STATE_LABELS
from expertpool.services.panels.declines import decline
from expertpool.services.panels.query import clean_reason
from expertpool.services.panels.sealing import refuse_sealed

OUTCOMES = {
    "notified": "已通知",
    "confirmed": "确认参加",
    "declined": "请辞",
    "unreachable": "未接通",
}
MAX_NOTE_CHARS = 200


def refuse_closed(panel: Panel) -> None:
    refuse_sealed(panel)
    if panel.status != "drawn":
        raise UserError("只能对已抽出、尚未锁定的评委名单登记通知与答复", field="panel")


def _seat(session: Session, panel: Panel, seat_id: int) -> PanelSeat:
    seat = session.get(PanelSeat, seat_id)
    if seat is None or seat.panel_id != panel.id or seat.state != "active":
        raise UserError("该专家已不在本名单的在任评委或备选专家中，请刷新页面", field="expert")
    return seat


def _checked(outcome: str, channel: str, note: str, seat: PanelSeat) -> str:
    if outcome not in OUTCOMES:
        raise UserError("请选择答复结果（已通知、确认参加、请辞或未接通）", field="outcome")
    if channel not in CHANNELS:
        raise UserError("请选择联系方式（电话、短信或当面）", field="channel")
    note = (note or "").strip()
    if outcome == "declined":
        if seat.role != "member":
            raise UserError(
                "备选专家不登记请辞：递补为评委后如不能参加，再登记请辞", field="outcome"
            )
        return clean_reason(note, "请辞理由")
    if len(note) > MAX_NOTE_CHARS:
        raise UserError(f"备注不能超过{MAX_NOTE_CHARS}个字符", field="note")
    return note


def ensure_state(session: Session, panel_id: int, seat_id: int) -> None:
    """A state row for the seat (version 0, 未通知); a concurrent insert is fine."""
    if session.scalar(select(NoticeState.id).where(NoticeState.seat_id == seat_id)):
        return
    try:
        with session.begin_nested():
            session.add(NoticeState(panel_id=panel_id, seat_id=seat_id, state="pending"))
    except IntegrityError:
        pass  # the other request inserted it; the conditional update decides


def _claim(
    session: Session,
    seat: PanelSeat,
    expected: int,
    outcome: str,
    note: str,
    who: str,
    at: datetime,
) -> None:
    done = cast(
        CursorResult[Any],
        session.execute(
            update(NoticeState)
            .where(NoticeState.seat_id == seat.id, NoticeState.version == expected)
            .values(
                state=outcome,
                reason=note if outcome == "declined" else "",
                version=NoticeState.version + 1,
                updated_by=who,
                updated_at=at,
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if done.rowcount == 1:
        return
    current = session.scalar(select(NoticeState.state).where(NoticeState.seat_id == seat.id))
    raise UserError(
        f"{seat.expert.name}的通知状态已由他人更新（现为：{STATE_LABELS.get(current or '', '未通知')}），"
        "本次登记未保存；请查看最新状态后再登记",
        field="expert",
    )


def record_reply(
    session: Session,
    panel: Panel,
    seat_id: int,
    outcome: str,
    channel: str,
    note: str,
    expected_version: int,
    actor: Actor,
    *,
    workers: int = 1,
    clock: Clock = SYSTEM_CLOCK,
) -> str:
    """Record one contact and its outcome; returns the message for the office."""
    refuse_closed(panel)
    seat = _seat(session, panel, seat_id)
    note = _checked(outcome, channel, note, seat)
    at = clock.utcnow()
    ensure_state(session, panel.id, seat.id)
    _claim(session, seat, expected_version, outcome, note, actor.username, at)
    session.add(
        NoticeAttempt(
            panel_id=panel.id,
            seat_id=seat.id,
            channel=channel,
            outcome=outcome,
            note=note,
            recorded_by=actor.username,
            at=at,
        )
    )
    code = seat.expert.code
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "notice_reply",
        panel.meeting.code,
        {"panel": panel.id, "expert": code, "outcome": outcome, "channel": channel, "note": note},
    )
    if outcome == "declined":
        return decline(session, panel, code, note, actor, workers=workers, clock=clock).message
    return f"已登记{seat.expert.name}（{code}）：{OUTCOMES[outcome]}（{CHANNELS[channel]}）"


def set_deadline(
    session: Session, panel: Panel, deadline: datetime, actor: Actor, *, clock: Clock = SYSTEM_CLOCK
) -> NoticeDeadline:
    """The office's deadline to answer: not in the past, not after the meeting's first day."""
    refuse_closed(panel)
    if deadline < clock.shanghai_now():
        raise UserError("答复截止时间不能早于当前时间", field="deadline")
    last = datetime.combine(panel.meeting.window_start, time(23, 59))
    if deadline > last:
        raise UserError(
            f"答复截止时间不能晚于例会首日（{panel.meeting.window_start.isoformat()}）",
            field="deadline",
        )
    row = session.get(NoticeDeadline, panel.id)
    if row is None:
        row = NoticeDeadline(panel_id=panel.id, deadline=deadline)
        session.add(row)
    row.deadline = deadline
    row.set_by = actor.username
    row.set_at = clock.utcnow()
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "notice_deadline",
        panel.meeting.code,
        {"panel": panel.id, "deadline": deadline.isoformat(timespec="minutes")},
    )
    return row
