"""The meeting day's record: 签到 (attendance), vote tallies, corrections, closing, reopening
and 备案. Every change is audited; every save carries the `version` the clerk read, and a stale
one is refused with the current numbers kept (optimistic concurrency).

Absences flow into the expert's service record (`ServiceRecord.attended` false), as the
office's earlier 登记缺席 did; that form now records attendance here (`record_absence`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import (
    Applicant,
    Attendance,
    DayCorrection,
    Expert,
    Meeting,
    MeetingDay,
    Panel,
    PanelSeat,
    ServiceRecord,
    VoteTally,
)
from expertpool.services import audit
from expertpool.services.meeting_record.rules import (
    fraction,
    meeting_rules,
    parse_rules,
    store_rules,
)
from expertpool.services.panels.query import MAX_REASON_CHARS, current_panel, result_of
from solver.meeting.tally import passes, quorum_need, vote_valid

ABSENCE_REASONS = ("因病", "因公", "无故缺席", "其他")
CLOSED_MESSAGE = "例会记录已结束，不能再修改；如需更正请市人社局重新打开"


class StaleVersion(UserError):
    def __init__(self) -> None:
        super().__init__(
            "其他人已在您打开页面之后修改了本例会记录，您的数字未保存；下面显示的是当前数字，"
            "请核对后重新填写",
            field="version",
        )


class RowErrors(UserError):
    """Bad rows of a tally (page or sheet): nothing was saved. ``problems``: (row, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(
            f"共有{len(problems)}行有错误，全部未保存："
            + "；".join(f"{r}：{m}" for r, m in problems)
        )


@dataclass(frozen=True)
class Seat:
    expert: Expert
    seat: PanelSeat


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_REASON_CHARS:
        raise UserError(f"{what}不能超过{MAX_REASON_CHARS}个字符", field="reason")
    return text


# -- reading -----------------------------------------------------------------------------


def day_of(session: Session, meeting: Meeting) -> MeetingDay | None:
    return session.scalar(select(MeetingDay).where(MeetingDay.meeting_id == meeting.id))


def sealed_panel(session: Session, meeting: Meeting) -> Panel:
    panel = current_panel(session, meeting)
    if panel is None or panel.status != "sealed":
        raise UserError("评委名单锁定后才能登记例会签到和表决", field="panel")
    return panel


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def refuse_before_start(meeting: Meeting, today: date) -> None:
    """The record of a meeting opens only on or after its first day (by the injected clock):
    a record opened early would show the sealed panel's attendance sheet before the meeting."""
    if today < meeting.window_start:
        raise UserError(
            f"例会尚未开始（{_cn(meeting.window_start)}开始），例会当天或之后才能开始登记例会记录",
            field="today",
        )


def open_day(session: Session, meeting: Meeting, clock: Clock = SYSTEM_CLOCK) -> MeetingDay:
    """The meeting's day record, made on first use for its sealed panel, and only on or after
    the meeting's first day by `clock`."""
    day = day_of(session, meeting)
    if day is None:
        refuse_before_start(meeting, clock.shanghai_now().date())
        day = MeetingDay(meeting_id=meeting.id, panel_id=sealed_panel(session, meeting).id)
        session.add(day)
        session.flush()
    return day


def seated(session: Session, day: MeetingDay) -> list[Seat]:
    """The seated members (the panel's members after declines), by expert code."""
    codes = set(result_of(day.panel).get("members", []))
    seats = session.scalars(
        select(PanelSeat).where(PanelSeat.panel_id == day.panel_id, PanelSeat.role == "member")
    )
    out = [Seat(s.expert, s) for s in seats if s.expert.code in codes]
    return sorted(out, key=lambda s: s.expert.code)


def attendance_by_code(day: MeetingDay) -> dict[str, Attendance]:
    return {a.expert.code: a for a in day.attendance}


def present_codes(day: MeetingDay) -> set[str]:
    return {a.expert.code for a in day.attendance if a.present}


def recusals(day: MeetingDay) -> dict[str, set[str]]:
    return {k: set(v) for k, v in result_of(day.panel).get("recusals", {}).items()}


def voters(day: MeetingDay, applicant: Applicant) -> int:
    return len(present_codes(day) - recusals(day).get(applicant.code, set()))


def quorum(session: Session, day: MeetingDay) -> int:
    share = fraction(meeting_rules(session, day.meeting)["quorum_share"])
    assert share is not None
    return quorum_need(share, len(seated(session, day)))


def refuse_closed(day: MeetingDay) -> None:
    if day.state == "closed":
        raise UserError(CLOSED_MESSAGE, field="state")


def _check_version(day: MeetingDay, version: int | None) -> None:
    if version is not None and version != day.version:
        raise StaleVersion()


def _touch(day: MeetingDay, actor: Actor, clock: Clock) -> None:
    day.version += 1
    day.updated_by = actor.username
    day.updated_at = clock.utcnow()


# -- attendance --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One member's attendance as entered: present, or absent with a reason from the list."""

    present: bool
    reason: str = ""
    note: str = ""


def _clean_mark(code: str, mark: Mark) -> Mark:
    if mark.present:
        return Mark(True)
    if mark.reason not in ABSENCE_REASONS:
        raise UserError(
            f"评委“{code}”缺席：请选择缺席原因（{'/'.join(ABSENCE_REASONS)}）",
            field=f"reason_{code}",
        )
    note = _reason(mark.note, "缺席说明")
    if mark.reason == "其他" and not note:
        raise UserError(f"评委“{code}”缺席原因为“其他”时请填写说明", field=f"note_{code}")
    return Mark(False, mark.reason, note)


def _service_record(session: Session, seat: Seat, meeting: Meeting, mark: Mark) -> None:
    record = session.scalar(
        select(ServiceRecord).where(
            ServiceRecord.expert_id == seat.expert.id,
            ServiceRecord.committee_id == meeting.committee_id,
            ServiceRecord.year == meeting.year,
        )
    )
    if record is None:
        record = ServiceRecord(
            expert_id=seat.expert.id, committee_id=meeting.committee_id, year=meeting.year
        )
        session.add(record)
    record.attended = mark.present
    why = f"{mark.reason}{'：' + mark.note if mark.note else ''}"
    record.note = f"{meeting.code}评委" if mark.present else f"{meeting.code}缺席：{why}"
    seat.seat.state = "active" if mark.present else "no_show"
    seat.seat.reason = "" if mark.present else why


def _as_dict(a: Attendance | None) -> dict[str, object]:
    if a is None:
        return {}
    return {"present": a.present, "reason": a.reason, "note": a.note}


def save_attendance(
    session: Session,
    meeting: Meeting,
    marks: Mapping[str, Mark],
    actor: Actor,
    today: date,
    *,
    version: int | None,
    correction: str = "",
    clock: Clock = SYSTEM_CLOCK,
) -> MeetingDay:
    """签到 for the given members. Changing an entry already saved is a correction and needs
    `correction` (the reason)."""
    if today < meeting.window_start:
        raise UserError(
            f"例会尚未开始（{meeting.window_start.isoformat()}起），不能登记签到", field="today"
        )
    day = open_day(session, meeting, clock)
    refuse_closed(day)
    _check_version(day, version)
    seats = {s.expert.code: s for s in seated(session, day)}
    known = attendance_by_code(day)
    changes = []
    for code, raw in marks.items():
        if code not in seats:
            raise UserError(f"“{code}”不是本例会的在任评委", field="expert")
        mark = _clean_mark(code, raw)
        row = known.get(code)
        if row is not None and (row.present, row.reason, row.note) == (
            mark.present,
            mark.reason,
            mark.note,
        ):
            continue
        changes.append((code, row, mark))
    corrected = [c for c in changes if c[1] is not None]
    reason = _reason(correction, "更正原因")
    if corrected and not reason:
        names = "、".join(seats[c[0]].expert.name for c in corrected)
        raise UserError(f"更正已登记的签到（{names}）须填写更正原因", field="correction")
    for code, row, mark in changes:
        before = _as_dict(row)
        if row is None:
            row = Attendance(day=day, expert_id=seats[code].expert.id)
            session.add(row)
        row.present, row.reason, row.note = mark.present, mark.reason, mark.note
        _service_record(session, seats[code], meeting, mark)
        if before:
            session.add(
                DayCorrection(
                    day=day,
                    what="出席",
                    target=code,
                    before=before,
                    after=_as_dict(row),
                    reason=reason,
                    by_user=actor.username,
                )
            )
    if changes:
        _touch(day, actor, clock)
        _retally(session, day)
        session.flush()
        audit.record(
            session,
            actor.username,
            actor.role,
            "meeting_attendance",
            meeting.code,
            {
                "changes": {c: _as_dict(r) | {"new": m.present} for c, r, m in changes},
                "correction": reason,
            },
        )
    return day


def record_absence(
    session: Session,
    panel: Panel,
    expert_code: str,
    reason: str,
    actor: Actor,
    today: date,
    clock: Clock = SYSTEM_CLOCK,
) -> Attendance:
    """The office's 登记缺席 (one member did not attend), through the attendance record."""
    if panel.status != "sealed":
        raise UserError("评委名单锁定后才能登记缺席", field="panel")
    refuse_before_start(panel.meeting, today)
    day = open_day(session, panel.meeting, clock)
    code = (expert_code or "").strip()
    row = attendance_by_code(day).get(code)
    if row is not None and not row.present:
        raise UserError(f"“{code}”的缺席已登记过", field="expert")
    text = (reason or "").strip()
    if not text:
        raise UserError("请填写缺席情况说明", field="reason")
    listed = text if text in ABSENCE_REASONS else "其他"
    note = "" if listed == text else text
    save_attendance(
        session,
        panel.meeting,
        {code: Mark(False, listed, note)},
        actor,
        today,
        version=None,
        correction="" if row is None else f"登记缺席：{text}",
        clock=clock,
    )
    return attendance_by_code(day)[code]


def attendance_complete(session: Session, day: MeetingDay) -> bool:
    return {s.expert.code for s in seated(session, day)} <= set(attendance_by_code(day))


# -- votes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    yes: int
    no: int
    abstain: int

    @property
    def total(self) -> int:
        return self.yes + self.no + self.abstain


def _decide(session: Session, day: MeetingDay, tally: VoteTally) -> None:
    rules = meeting_rules(session, day.meeting)
    q, p = fraction(rules["quorum_share"]), fraction(rules["pass_share"])
    assert q is not None and p is not None
    n = len(seated(session, day))
    tally.voters = voters(day, tally.applicant)
    tally.valid = vote_valid(tally.voters, q, n)
    consistent = tally.yes + tally.no + tally.abstain == tally.voters
    tally.passed = consistent and passes(tally.yes, tally.voters, tally.valid, p)


def _retally(session: Session, day: MeetingDay) -> None:
    """After attendance changed: voters, validity and decisions of the stored tallies."""
    for tally in day.tallies:
        _decide(session, day, tally)


def save_rules(
    session: Session,
    meeting: Meeting,
    form: Mapping[str, str],
    actor: Actor,
    clock: Clock = SYSTEM_CLOCK,
) -> dict[str, str | None]:
    """The office sets the meeting's vote rules (quorum, pass share, cap, what the cap counts)
    while the record is not closed; stored tallies are decided again under the new rules."""
    if actor.role != "office":
        raise UserError("只有本评委会的办事机构可以设定表决规则", field="rules")
    day = day_of(session, meeting)
    if day is not None:
        refuse_closed(day)
    rules = store_rules(session, meeting, parse_rules(form), actor)
    if day is not None:
        _retally(session, day)
        _touch(day, actor, clock)
        session.flush()
    return rules


def needs_correction(tally: VoteTally) -> bool:
    """待更正: the saved counts no longer add up to the voters (attendance changed after the
    votes were saved). Such a tally is neither passed nor failed until it is corrected."""
    return tally.yes + tally.no + tally.abstain != tally.voters


def inconsistent(day: MeetingDay) -> list[VoteTally]:
    return [t for t in day.tallies if needs_correction(t)]


def refuse_without_quorum(session: Session, day: MeetingDay) -> None:
    if not attendance_complete(session, day):
        raise UserError("请先完成全部在任评委的签到，再登记表决结果", field="attendance")
    need, have = quorum(session, day), len(present_codes(day))
    if have < need:
        raise UserError(
            f"出席评委{have}名，不足法定人数{need}名，例会无效，不能表决", field="attendance"
        )


def _row_problems(day: MeetingDay, app: Applicant, counts: Counts) -> str | None:
    if min(counts.yes, counts.no, counts.abstain) < 0:
        return "票数不能为负数"
    have = voters(day, app)
    if counts.total != have:
        return (
            f"同意{counts.yes}+反对{counts.no}+弃权{counts.abstain}={counts.total}票，"
            f"应等于表决评委人数{have}名（出席且无需回避）"
        )
    return None


def save_votes(
    session: Session,
    meeting: Meeting,
    rows: Mapping[str, Counts],
    actor: Actor,
    *,
    version: int | None,
    correction: str = "",
    labels: Mapping[str, str] | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> MeetingDay:
    """Vote tallies by applicant code; all rows or none (`labels` names rows in messages,
    e.g. "第3行"). Changing a saved tally is a correction and needs the reason."""
    day = open_day(session, meeting, clock)
    refuse_closed(day)
    _check_version(day, version)
    refuse_without_quorum(session, day)
    apps = {a.code: a for a in meeting.applicants}
    stored = {t.applicant.code: t for t in day.tallies}
    problems: list[tuple[str, str]] = []
    changes: list[tuple[Applicant, Counts, VoteTally | None]] = []
    for code, counts in rows.items():
        label = (labels or {}).get(code, f"申报人{code}")
        app = apps.get(code)
        if app is None:
            problems.append((label, f"“{code}”不是本例会的申报人"))
            continue
        problem = _row_problems(day, app, counts)
        if problem:
            problems.append((label, f"{app.name}：{problem}"))
            continue
        old = stored.get(code)
        if old is None or (old.yes, old.no, old.abstain) != (counts.yes, counts.no, counts.abstain):
            changes.append((app, counts, old))
    if problems:
        raise RowErrors(problems)
    reason = _reason(correction, "更正原因")
    corrected = [c for c in changes if c[2] is not None]
    if corrected and not reason:
        names = "、".join(c[0].name for c in corrected)
        raise UserError(f"更正已登记的表决结果（{names}）须填写更正原因", field="correction")
    for app, counts, old in changes:
        tally = old or VoteTally(day=day, applicant=app)
        before = {"yes": tally.yes, "no": tally.no, "abstain": tally.abstain} if old else {}
        if old is None:
            session.add(tally)
        tally.yes, tally.no, tally.abstain = counts.yes, counts.no, counts.abstain
        _decide(session, day, tally)
        if before:
            after = {"yes": counts.yes, "no": counts.no, "abstain": counts.abstain}
            session.add(
                DayCorrection(
                    day=day,
                    what="表决",
                    target=app.code,
                    before=before,
                    after=after,
                    reason=reason,
                    by_user=actor.username,
                )
            )
    if changes:
        _touch(day, actor, clock)
        session.flush()
        audit.record(
            session,
            actor.username,
            actor.role,
            "meeting_votes",
            meeting.code,
            {
                "tallies": {a.code: [c.yes, c.no, c.abstain] for a, c, _ in changes},
                "correction": reason,
            },
        )
    return day
