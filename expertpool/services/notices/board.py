"""One panel's call list: who is on it, in which order, what each has answered, and whom to
contact next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.models import NoticeAttempt, NoticeDeadline, NoticeState, Panel, PanelSeat
from expertpool.services.panels.query import seat_rows

STATE_LABELS = {
    "pending": "未通知",
    "notified": "已通知",
    "confirmed": "确认参加",
    "declined": "请辞",
    "unreachable": "未接通",
}
CHANNELS = {"phone": "电话", "sms": "短信", "in_person": "当面", "gateway": "短信平台"}


@dataclass
class Row:
    seat: PanelSeat
    state: str  # a key of STATE_LABELS, or "used" for an alternate who stepped up
    version: int
    label: str
    attempts: list[NoticeAttempt] = field(default_factory=list)

    @property
    def is_member(self) -> bool:
        return self.seat.role == "member" and self.seat.state == "active"


@dataclass
class Board:
    panel: Panel
    members: list[Row]  # active members, then members who declined
    alternates: list[Row]  # in substitution order, then those who stepped up
    deadline: NoticeDeadline | None
    confirmed: int
    total: int
    next_up: Row | None  # the member to contact next (not yet notified, else unreachable)
    waiting: list[Row]  # told, no answer yet

    def overdue(self, now_local: datetime) -> bool:
        return (
            self.deadline is not None
            and now_local > self.deadline.deadline
            and self.confirmed < self.total
        )


def _pending_label(seat: PanelSeat) -> str:
    # A seat created by a replacement carries its own change time: it is new on the list.
    return "待通知" if seat.role == "member" and seat.changed_at is not None else "未通知"


def _label(seat: PanelSeat, state: NoticeState | None) -> tuple[str, str]:
    if seat.state == "declined":
        return "declined", f"请辞（{seat.reason}）"
    if seat.state == "used":
        return "used", "已递补为评委"
    if seat.state == "no_show":
        return "no_show", "缺席"
    code = state.state if state else "pending"
    if code == "pending":
        return code, _pending_label(seat)
    return code, STATE_LABELS.get(code, code)


def _rows(session: Session, panel: Panel) -> list[Row]:
    states = {
        s.seat_id: s
        for s in session.scalars(select(NoticeState).where(NoticeState.panel_id == panel.id))
    }
    attempts: dict[int, list[NoticeAttempt]] = {}
    for a in session.scalars(
        select(NoticeAttempt)
        .where(NoticeAttempt.panel_id == panel.id)
        .order_by(NoticeAttempt.at, NoticeAttempt.id)
    ):
        attempts.setdefault(a.seat_id, []).append(a)
    rows = []
    for seat in seat_rows(session, panel):
        st = states.get(seat.id)
        code, label = _label(seat, st)
        rows.append(Row(seat, code, st.version if st else 0, label, attempts.get(seat.id, [])))
    return rows


def _next_up(members: list[Row]) -> Row | None:
    active = [r for r in members if r.is_member]
    for wanted in ("pending", "unreachable"):
        for row in active:
            if row.state == wanted:
                return row
    return None


def board(session: Session, panel: Panel) -> Board:
    rows = _rows(session, panel)
    members = [r for r in rows if r.seat.role == "member"]
    members.sort(key=lambda r: (not r.is_member, r.seat.position, r.seat.id))
    alternates = [r for r in rows if r.seat.role == "alternate"]
    alternates.sort(key=lambda r: (r.seat.state != "active", r.seat.position))
    active = [r for r in members if r.is_member]
    return Board(
        panel=panel,
        members=members,
        alternates=alternates,
        deadline=session.get(NoticeDeadline, panel.id),
        confirmed=sum(1 for r in active if r.state == "confirmed"),
        total=len(active),
        next_up=_next_up(members),
        waiting=[r for r in active if r.state == "notified"],
    )


def unconfirmed_members(session: Session, panel: Panel) -> list[PanelSeat]:
    """Active members not yet 确认参加, in seat order (what sealing warns about)."""
    return [r.seat for r in board(session, panel).members if r.is_member and r.state != "confirmed"]
