"""When a meeting has really ended: the one definition every date-keyed decision uses.

A meeting has ended on the closed meeting record's end date (例会记录 `ended_on`) when its
record is closed, else on the last day of its window. Its panel is confidential up to and
including that day (评审专家名单一般不对外公布, 例会结束前保密): before it, only the meeting's
office and the regulators see who sits on it, and nothing else (an expert's record, a count,
a service year) may tell. A draw for a meeting that has already ended is allowed only with a
recorded reason (a panel drawn after the fact cannot have served the meeting as drawn).

`today` is always the Beijing date of the injected clock (`Clock.shanghai_now().date()`),
never the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.clock import Clock
from expertpool.errors import UserError
from expertpool.models import Meeting, MeetingDay

MAX_PAST_REASON_CHARS = 200
SOON_DAYS = 14  # a window starting within this many days gets a notice on the draw screens


def today_of(clock: Clock) -> date:
    """The Beijing date of `clock` (deadlines and meeting dates are Beijing dates)."""
    return clock.shanghai_now().date()


def closed_end(session: Session, meeting: Meeting) -> date | None:
    """The end date of the meeting's closed record, if its record is closed."""
    day = session.scalar(select(MeetingDay).where(MeetingDay.meeting_id == meeting.id))
    if day is None or day.state != "closed":
        return None
    return day.ended_on


def end_of(session: Session, meeting: Meeting) -> date:
    """The meeting's real last day: the closed record's end, else the window's last day."""
    return closed_end(session, meeting) or meeting.window_end


def confidential_until(session: Session, meeting: Meeting) -> date:
    """The panel stays confidential up to and including this day."""
    return end_of(session, meeting)


def has_ended(session: Session, meeting: Meeting, today: date) -> bool:
    return today > end_of(session, meeting)


def is_confidential(session: Session, meeting: Meeting, today: date) -> bool:
    return not has_ended(session, meeting, today)


@dataclass(frozen=True)
class MeetingWhen:
    """Where a meeting stands relative to today, in one short Chinese phrase."""

    phase: str  # upcoming | running | ended
    text: str
    soon: bool = False  # upcoming and starting within SOON_DAYS


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def when(session: Session, meeting: Meeting, today: date) -> MeetingWhen:
    """例会已于2024年6月28日结束 / 例会进行中（至2024年10月31日） / 距例会开始还有12天。"""
    end = end_of(session, meeting)
    if today > end:
        return MeetingWhen("ended", f"例会已于{_cn(end)}结束")
    if today >= meeting.window_start or closed_end(session, meeting) is not None:
        return MeetingWhen("running", f"例会进行中（{_cn(meeting.window_start)}至{_cn(end)}）")
    days = (meeting.window_start - today).days
    return MeetingWhen(
        "upcoming",
        f"距例会开始还有{days}天（{_cn(meeting.window_start)}）",
        soon=days <= SOON_DAYS,
    )


def past_reason(session: Session, meeting: Meeting, today: date, reason: str) -> str:
    """Drawing for a meeting that has already ended needs a reason (returned cleaned, and
    recorded on the draw and its panel); for any other meeting the reason is ignored ("")."""
    if not has_ended(session, meeting, today):
        return ""
    return _clean_past_reason(f"例会{meeting.code}已于{_cn(end_of(session, meeting))}结束", reason)


def season_past_reason(
    session: Session, meetings: list[Meeting], today: date, reason: str
) -> tuple[list[Meeting], str]:
    """A season run that would draw meetings that have already ended: they are returned,
    and the reason is required as for one meeting."""
    ended = [m for m in meetings if has_ended(session, m, today)]
    if not ended:
        return [], ""
    codes = "、".join(m.code for m in ended)
    return ended, _clean_past_reason(f"例会{codes}已经结束", reason)


def _clean_past_reason(what: str, reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise UserError(f"{what}，请确认仍要抽取并填写原因", field="past_reason")
    if len(reason) > MAX_PAST_REASON_CHARS:
        raise UserError(
            f"为已结束的例会抽取的原因不能超过{MAX_PAST_REASON_CHARS}个字符", field="past_reason"
        )
    return reason
