"""The meeting record as `expertpool.meeting/1` (draw-format.md §5), the statistics of a
meeting (pass rates overall, 高技能人才, by group, level and specialty), closing, reopening,
备案 state, and checking a record with the independent verifier."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import Applicant, DayCorrection, Meeting, MeetingDay, VoteTally
from expertpool.services import audit
from expertpool.services.meeting_record import day as days
from expertpool.services.meeting_record.calendar import deadline_after
from expertpool.services.meeting_record.rules import fraction, meeting_rules
from expertpool.services.panels.query import package_of, result_bytes
from expertpool.workdays import Deadline
from solver.errors import PackageError
from solver.meeting import Report, verify_meeting
from solver.meeting.tally import PassRate, pass_rate, percent

HIGH_SKILL = "高技能人才"
FILING_STATES = ("未举行", "已举行", "已结束记录", "已备案", "逾期")


def group_of(app: Applicant) -> str | None:
    """The record's `group`: the applicant's 评审分组, or 高技能人才 for one without."""
    if app.review_group:
        return app.review_group
    return HIGH_SKILL if app.high_skill else None


def high_skill_by_specialty(meeting: Meeting) -> list[tuple[str, int]]:
    """高技能人才 applicants counted by specialty (大人社发〔2024〕45号 附件3 一.2), sorted;
    specialties without one are left out."""
    counts = Counter(a.specialty or "（未填）" for a in meeting.applicants if a.high_skill)
    return sorted(counts.items())


def _package_order(day: MeetingDay) -> list[str]:
    doc = json.loads(package_of(day.panel))
    return [str(a["id"]) for a in doc.get("applicants", [])]


def record_dict(session: Session, day: MeetingDay) -> dict[str, Any]:
    tallies = {t.applicant.code: t for t in day.tallies}
    votes = []
    for code in _package_order(day):
        t = tallies.get(code)
        if t is None:
            continue
        vote: dict[str, Any] = {"applicant": code}
        group = group_of(t.applicant)
        if group:
            vote["group"] = group
        vote |= {"yes": t.yes, "no": t.no, "abstain": t.abstain, "passed": t.passed}
        votes.append(vote)
    marks = days.attendance_by_code(day)
    doc: dict[str, Any] = {
        "format": "expertpool.meeting/1",
        "meeting": day.meeting.code,
        "panel_sha256": hashlib.sha256(result_bytes(day.panel)).hexdigest(),
        "rules": meeting_rules(session, day.meeting),
        "present": sorted(c for c, a in marks.items() if a.present),
        "absent": [
            {"expert": c, "reason": a.reason + (f"：{a.note}" if a.note else "")}
            for c, a in sorted(marks.items())
            if not a.present
        ],
        "votes": votes,
    }
    if day.explanation:
        doc["explanation"] = day.explanation
    return doc


def record_bytes(session: Session, day: MeetingDay) -> bytes:
    if day.state == "closed" and day.record_json:
        return day.record_json.encode("utf-8")
    return (json.dumps(record_dict(session, day), ensure_ascii=False, indent=1) + "\n").encode()


# -- statistics ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    label: str
    passed: int
    voted: int

    @property
    def rate(self) -> str:
        return percent(PassRate(self.passed, self.voted, None).rate)


def _line(label: str, tallies: Iterable[VoteTally]) -> Line:
    items = list(tallies)
    return Line(label, sum(t.passed for t in items), len(items))


def _by(tallies: list[VoteTally], key: Any) -> list[Line]:
    groups: dict[str, list[VoteTally]] = {}
    for t in tallies:
        groups.setdefault(key(t.applicant) or "（未填）", []).append(t)
    return [_line(k, v) for k, v in sorted(groups.items())]


@dataclass(frozen=True)
class Stats:
    overall: Line
    counted: PassRate
    high_skill: Line
    by_group: list[Line]
    by_level: list[Line]
    by_specialty: list[Line]
    pending: int = 0  # tallies 待更正, left out of every line until corrected


def stats(session: Session, day: MeetingDay) -> Stats:
    """Pass rates of the decided tallies; a tally 待更正 (its counts no longer match the
    voters) is not counted as failed, it is left out and counted in ``pending``."""
    tallies = [t for t in day.tallies if not days.needs_correction(t)]
    rules = meeting_rules(session, day.meeting)
    counted = pass_rate(
        [(group_of(t.applicant), t.passed) for t in tallies],
        str(rules["pass_rate_counts"]),
        fraction(rules["max_pass_rate"]),
    )
    return Stats(
        overall=_line("全部申报人", tallies),
        counted=counted,
        high_skill=_line(HIGH_SKILL, [t for t in tallies if t.applicant.high_skill]),
        by_group=_by(tallies, group_of),
        by_level=_by(tallies, lambda a: a.apply_level),
        by_specialty=_by(tallies, lambda a: a.specialty),
        pending=len(day.tallies) - len(tallies),
    )


# -- closing, reopening, 备案 ---------------------------------------------------------------


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_end_date(meeting: Meeting, ended_on: date, today: date) -> None:
    """The end date lies within the meeting window and not after today (by the injected
    clock): a later one would make an ended meeting 'running' and its panel confidential
    again, and move the 备案 deadline."""
    start, end = meeting.window_start, meeting.window_end
    if not start <= ended_on <= end:
        raise UserError(
            f"例会结束日期应在例会时间（{_cn(start)}至{_cn(end)}）之内", field="ended_on"
        )
    if ended_on > today:
        raise UserError(
            f"例会结束日期不能晚于今天（{_cn(today)}）；例会结束后再结束记录", field="ended_on"
        )


def close(
    session: Session,
    meeting: Meeting,
    actor: Actor,
    *,
    ended_on: date,
    explanation: str = "",
    version: int | None,
    clock: Clock = SYSTEM_CLOCK,
) -> MeetingDay:
    """Close (lock) the record: every member signed in, quorum met, every applicant voted with
    consistent counts; above the cap (senior 评聘分开) an explanation is required."""
    day = days.open_day(session, meeting, clock)
    days.refuse_closed(day)
    if version is not None and version != day.version:
        raise days.StaleVersion()
    days.refuse_without_quorum(session, day)
    voted = {t.applicant.code for t in day.tallies}
    missing = [a.name for a in meeting.applicants if a.code not in voted]
    if missing:
        raise UserError(f"以下申报人尚无表决结果：{'、'.join(missing)}", field="votes")
    bad = days.inconsistent(day)
    if bad:
        names = "、".join(t.applicant.name for t in bad)
        raise UserError(f"以下申报人的票数之和与表决评委人数不符，请更正：{names}", field="votes")
    check_end_date(meeting, ended_on, clock.shanghai_now().date())
    text = (explanation or "").strip()
    rate = stats(session, day).counted
    if rate.above_cap and not text:
        raise UserError(
            f"通过率{percent(rate.rate)}超过上限{percent(rate.cap)}"
            "（大人社发〔2024〕45号 五(二)：原则上不超过50%），请填写超出原因",
            field="explanation",
        )
    day.explanation = text if rate.above_cap else ""
    day.ended_on = ended_on
    day.state = "closed"
    day.closed_by, day.closed_at = actor.username, clock.utcnow()
    day.version += 1
    day.record_json = ""
    day.record_json = record_bytes(session, day).decode("utf-8")
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "meeting_close",
        meeting.code,
        {"ended_on": ended_on.isoformat(), "passed": rate.passed, "voted": rate.voted},
    )
    return day


def reopen(session: Session, meeting: Meeting, actor: Actor, reason: str) -> MeetingDay:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以重新打开已结束的例会记录", field="reason")
    day = days.day_of(session, meeting)
    if day is None or day.state != "closed":
        raise UserError("该例会记录尚未结束，无需重新打开", field="state")
    text = (reason or "").strip()
    if not text:
        raise UserError("请填写重新打开的原因", field="reason")
    day.state, day.reopen_reason, day.record_json = "open", text, ""
    day.filed_at, day.filed_on, day.filed_by = None, None, ""
    day.version += 1
    session.add(DayCorrection(day=day, what="重新打开", reason=text, by_user=actor.username))
    session.flush()
    audit.record(
        session, actor.username, actor.role, "meeting_reopen", meeting.code, {"reason": text}
    )
    return day


def mark_filed(
    session: Session,
    meeting: Meeting,
    actor: Actor,
    today: date,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> MeetingDay:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以登记备案", field="state")
    day = days.day_of(session, meeting)
    if day is None or day.state != "closed":
        raise UserError("例会记录结束后才能登记备案", field="state")
    if day.filed_on is not None:
        raise UserError("该例会已登记备案", field="state")
    day.filed_on, day.filed_at, day.filed_by = today, clock.utcnow(), actor.username
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "meeting_filed",
        meeting.code,
        {"filed_on": today.isoformat()},
    )
    return day


@dataclass(frozen=True)
class Filing:
    state: str
    deadline: Deadline
    on_time: bool | None  # filed by the deadline (None: not filed or no deadline yet)


def filing(session: Session, meeting: Meeting, today: date) -> Filing:
    """备案 state: 未举行 / 已举行 / 已结束记录 / 已备案 / 逾期, with the deadline."""
    day = days.day_of(session, meeting)
    ended = (day.ended_on if day else None) or meeting.window_end
    deadline = deadline_after(session, ended)
    late = deadline.day is not None and today > deadline.day
    if day is not None and day.filed_on is not None:
        ok = None if deadline.day is None else day.filed_on <= deadline.day
        return Filing("已备案", deadline, ok)
    if late and (day is not None or today > meeting.window_end):
        return Filing("逾期", deadline, False)
    if day is not None and day.state == "closed":
        return Filing("已结束记录", deadline, None)
    if day is not None and day.attendance:
        return Filing("已举行", deadline, None)
    return Filing("未举行", deadline, None)


# -- checking ------------------------------------------------------------------------------


def check_files(package: bytes, panel: bytes, record: bytes) -> Report:
    """The regulator's upload check: the independent verifier on three files."""
    try:
        return verify_meeting(package, panel, record)
    except PackageError as exc:
        raise UserError(exc.message, field=exc.field) from None


def check_stored(session: Session, day: MeetingDay) -> Report:
    return check_files(package_of(day.panel), result_bytes(day.panel), record_bytes(session, day))


def log(session: Session, meeting: Meeting, actor: Actor, what: str) -> None:
    """Every view and export of a meeting record is an audit event."""
    audit.record(session, actor.username, actor.role, "meeting_view", meeting.code, {"what": what})
