"""An expert's status changed while sitting on a sealed panel: the bureau is told how many
meetings it touches (not which: the panels are confidential until the meetings end), and the
office sees a notice on that panel (the sealed list itself does
not change; the office records the absence on the day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.models import Expert, Meeting, Panel, PanelSeat, StatusChange

AVAILABLE = "在库"


def _affects(expert: Expert, meeting: Meeting) -> bool:
    """Whether the expert's status keeps them from the meeting (a pause ending before the
    meeting starts does not)."""
    if expert.status == AVAILABLE:
        return False
    until = expert.suspended_until
    return not (expert.status == "暂停" and until is not None and until < meeting.window_start)


def sealed_meetings(session: Session, expert_id: int, today: date) -> list[Meeting]:
    """Meetings not ended yet whose sealed panel has the expert on an active seat and whom
    the expert's current status keeps away."""
    expert = session.get(Expert, expert_id)
    if expert is None:
        return []
    meetings = session.scalars(
        select(Meeting)
        .join(Panel, Panel.meeting_id == Meeting.id)
        .join(PanelSeat, PanelSeat.panel_id == Panel.id)
        .where(
            PanelSeat.expert_id == expert_id,
            PanelSeat.state == "active",
            Panel.status == "sealed",
            Meeting.window_end >= today,
        )
        .order_by(Meeting.window_start, Meeting.code)
    )
    # Deduplicated here: DISTINCT over a row with JSON columns fails on PostgreSQL.
    unique = list(dict.fromkeys(meetings))
    return [m for m in unique if _affects(expert, m)]


def affected_text(meetings: list[Meeting]) -> str:
    """The bureau's warning after a status change, or "" when no sealed panel is touched.

    The meetings are not named: before a meeting ends its panel is confidential to its office
    and the regulators, and the bureau must not learn who sits on it; the count and the notice
    on the office's panel page are enough to act on."""
    if not meetings:
        return ""
    return (
        f"注意：该专家在{len(meetings)}个尚未结束的例会的已锁定评委名单中（例会结束前不显示是哪个例会）。"
        "名单不会自动变更，已在相应办事机构的名单页提示。"
    )


@dataclass(frozen=True)
class SeatNotice:
    expert_code: str
    name: str
    role: str
    text: str


def _last_change(session: Session, expert_id: int) -> StatusChange | None:
    return session.scalar(
        select(StatusChange)
        .where(StatusChange.expert_id == expert_id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    )


def seat_notices(session: Session, panel: Panel) -> list[SeatNotice]:
    """Per active seat of a sealed panel whose expert can no longer sit: what changed."""
    if panel.status != "sealed":
        return []
    out = []
    for seat in panel.seats:
        expert = seat.expert
        if seat.state != "active" or not _affects(expert, panel.meeting):
            continue
        change = _last_change(session, expert.id)
        why = f"，理由：{change.reason}" if change and change.reason else ""
        end = expert.suspended_until
        until = f"（至{end.year}年{end.month}月{end.day}日）" if end else ""
        role = "评委" if seat.role == "member" else "备选专家"
        text = (
            f"{role}{expert.name}（{expert.code}）已被市人社局变更为“{expert.status}”{until}{why}。"
            "名单已锁定，不会自动递补；请与市人社局和该专家联系，不能参加的在例会当天登记缺席。"
        )
        out.append(SeatNotice(expert.code, expert.name, seat.role, text))
    return out
