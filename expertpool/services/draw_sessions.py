"""Two-party seeds for every web draw (抽取承诺): nobody alone chooses the seed.

1. The office (one meeting, first draw or redraw) or the bureau (a season run) asks for a
   draw: the system takes part a from its `SeedSource` and records and shows only its
   commitment, SHA-256 (solver/seedparts.py). Part a stays secret.
2. The supervisor (监督人, a regulator account) opens the pending commitment and enters
   part b: a value of their own, or a public random source fixed after the commitment
   (e.g. a named lottery's winning numbers on a stated date), which they check.
3. The draw runs at once on seed = H(a, b); part a is revealed; the panel file (or the
   season plan) records both parts and the commitment as `seed_parts`, so
   `expertpool verify --replay` recomputes the seed and checks the commitment.

The bureau may switch part b off for a year, only with a reason; every draw of that year
then runs on H(a, "") and carries the reason (`seed_parts.waiver`), shown on its panel.
A commitment may be abandoned (with a note); it stays on the record like every attempt.

Once only, also under races (two supervisors, a double submit, two app servers): leaving
`pending` (part b in, or abandoned) is a conditional UPDATE ... WHERE state = 'pending'
checked by its row count, so one request wins and the other gets one message and changes
nothing; and at most one commitment per meeting (per season year) is pending, which the
database enforces with a partial unique index (models/panels.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SHANGHAI, SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import DrawSession, Job, Meeting, SecondPartWaiver
from expertpool.seeds import SCHEME, FixedSeed, SeedSource, combine, commitment, secrets_part
from expertpool.services import audit, jobs, meeting_dates
from expertpool.services import season as season_svc
from expertpool.services.once import rows_changed
from expertpool.services.panels.draw import draw_on_seed, redraw_reason
from expertpool.services.panels.query import clean_reason, current_panel
from expertpool.services.panels.sealing import refuse_if_sealed

KINDS = {"single": "单个例会抽取", "season": "年度联合抽取"}
STATES = {
    "pending": "等待监督人输入第二部分",
    "drawing": "已输入第二部分，正在后台抽取",
    "drawn": "已抽取",
    "abandoned": "已放弃",
}
SOURCES = {
    "supervisor": "监督人输入",
    "public": "公开随机来源（监督人核对后输入）",
    "waived": "第二部分已按年度设置关闭",
}
MAX_PART_CHARS = 200
MAX_SOURCE_CHARS = 100
SUPERVISOR_ROLE = "regulator"
SECOND_TAKEN = "该抽取已由他人输入第二部分，未重复抽取；请刷新页面查看结果"
STALE = (
    "该抽取承诺发起后，本例会已抽出评委名单，此承诺已过时，不能再用于抽取："
    "请办事机构放弃它；如需重新抽取，请填写重新抽取的原因后重新发起"
)


class PendingCommitment(UserError):
    """Another commitment of the same meeting (or season year) is already pending: it is the
    one to complete or abandon. ``session_id`` names it (None if it is gone already)."""

    def __init__(self, message: str, session_id: int | None) -> None:
        super().__init__(message, field="draw")
        self.session_id = session_id


# -- the yearly switch -------------------------------------------------------------------


def waiver_of(session: Session, year: int) -> SecondPartWaiver | None:
    return session.get(SecondPartWaiver, year)


def set_waiver(
    session: Session, year: int, reason: str, actor: Actor, *, clock: Clock = SYSTEM_CLOCK
) -> SecondPartWaiver:
    """Switch the supervisor's part off for `year`; the reason is required and recorded."""
    if actor.role != "bureau":
        raise UserError("只有市人社局可以关闭第二部分随机数", field="reason")
    reason = clean_reason(reason, "关闭第二部分随机数的理由")
    row = session.get(SecondPartWaiver, year)
    if row is None:
        row = SecondPartWaiver(year=year, reason=reason)
        session.add(row)
    row.reason, row.set_by, row.set_at = reason, actor.username, clock.utcnow()
    session.flush()
    audit.record(
        session, actor.username, actor.role, "seed_waiver", f"{year}年度", {"reason": reason}
    )
    return row


def clear_waiver(session: Session, year: int, actor: Actor) -> None:
    """Switch the supervisor's part back on for `year`."""
    if actor.role != "bureau":
        raise UserError("只有市人社局可以恢复第二部分随机数", field="year")
    row = session.get(SecondPartWaiver, year)
    if row is None:
        return
    session.delete(row)
    session.flush()
    audit.record(session, actor.username, actor.role, "seed_waiver_off", f"{year}年度", {})


# -- reading ------------------------------------------------------------------------------


def get(session: Session, session_id: int) -> DrawSession | None:
    return session.get(DrawSession, session_id)


def pending_single(session: Session, meeting: Meeting) -> DrawSession | None:
    return session.scalars(
        select(DrawSession).where(
            DrawSession.meeting_id == meeting.id,
            DrawSession.kind == "single",
            DrawSession.state == "pending",
        )
    ).first()


def pending_season(session: Session, year: int) -> DrawSession | None:
    return session.scalars(
        select(DrawSession).where(
            DrawSession.year == year,
            DrawSession.kind == "season",
            DrawSession.state == "pending",
        )
    ).first()


def unfinished_season(session: Session, year: int) -> DrawSession | None:
    """A season commitment whose second part is in but whose run is not stored yet (its
    job queued, running, or failed and waiting to be started again)."""
    return session.scalars(
        select(DrawSession)
        .where(
            DrawSession.year == year,
            DrawSession.kind == "season",
            DrawSession.state == "drawing",
        )
        .order_by(DrawSession.id.desc())
    ).first()


def all_pending(session: Session) -> list[DrawSession]:
    return list(
        session.scalars(
            select(DrawSession).where(DrawSession.state == "pending").order_by(DrawSession.id)
        )
    )


def for_meeting(session: Session, meeting: Meeting) -> list[DrawSession]:
    return list(
        session.scalars(
            select(DrawSession).where(DrawSession.meeting_id == meeting.id).order_by(DrawSession.id)
        )
    )


def for_season(session: Session, year: int) -> list[DrawSession]:
    return list(
        session.scalars(
            select(DrawSession)
            .where(DrawSession.year == year, DrawSession.kind == "season")
            .order_by(DrawSession.id)
        )
    )


def revealed_part(ds: DrawSession) -> str:
    """Part a, once the draw has run (never while pending or after abandoning)."""
    return ds.office_part if ds.state == "drawn" else ""


def seed_parts(ds: DrawSession) -> dict[str, Any]:
    """What the panel file (or plan) records about its seed."""
    return {
        "scheme": SCHEME,
        "office": ds.office_part,
        "commitment": ds.commitment,
        "second": ds.second_part,
        "second_source": ds.second_source,
        "second_note": ds.second_note,
        "second_by": ds.second_by,
        "waiver": ds.waiver,
    }


# -- opening a commitment -----------------------------------------------------------------


def _pending_twin(session: Session, ds: DrawSession) -> DrawSession | None:
    if ds.kind == "single":
        assert ds.meeting is not None
        return pending_single(session, ds.meeting)
    return pending_season(session, ds.year)


def _refuse_twin(twin: DrawSession | None, kind: str, year: int) -> None:
    if twin is None:
        return
    what = "本例会" if kind == "single" else f"{year}年度"
    noun = "抽取承诺" if kind == "single" else "联合抽取承诺"
    raise PendingCommitment(
        f"{what}已有一个等待监督人输入第二部分的{noun}（第{twin.id}号），未重复发起；"
        "请先完成或放弃它",
        twin.id,
    )


def _insert_pending(session: Session, ds: DrawSession) -> None:
    """Insert the pending commitment; a twin opened a moment ago by another request (the
    partial unique index refuses the second) is named instead."""
    _refuse_twin(_pending_twin(session, ds), ds.kind, ds.year)
    try:
        with session.begin_nested():
            session.add(ds)
    except IntegrityError:
        twin = _pending_twin(session, ds)
        if twin is None:
            raise
        _refuse_twin(twin, ds.kind, ds.year)


def _open(
    session: Session, ds: DrawSession, target: str, actor: Actor, seeds: SeedSource
) -> DrawSession:
    ds.office_part = seeds()
    ds.commitment = commitment(ds.office_part)
    ds.requested_by = actor.username
    _insert_pending(session, ds)
    audit.record(
        session,
        actor.username,
        actor.role,
        "draw_commit",
        target,
        {
            "session": ds.id,
            "kind": ds.kind,
            "commitment": ds.commitment,
            "reason": ds.reason,
            "past_reason": ds.past_reason,
        },
    )
    return ds


def open_single(
    session: Session,
    meeting: Meeting,
    actor: Actor,
    *,
    seeds: SeedSource = secrets_part,
    reason: str = "",
    past_reason: str = "",
    clock: Clock = SYSTEM_CLOCK,
    workers: int = 1,
) -> DrawSession:
    """The office asks for a draw of `meeting`: a commitment to part a. In a year whose
    part b is switched off, the draw runs at once (on H(a, "")), carrying the reason.
    A meeting that has already ended is drawn only with `past_reason` (recorded)."""
    refuse_if_sealed(session, meeting)
    reason = redraw_reason(current_panel(session, meeting), reason)
    late = meeting_dates.past_reason(session, meeting, meeting_dates.today_of(clock), past_reason)
    _refuse_twin(pending_single(session, meeting), "single", meeting.year)
    ds = DrawSession(
        kind="single",
        year=meeting.year,
        meeting_id=meeting.id,
        reason=reason,
        past_reason=late,
        requested_at=clock.utcnow(),
    )
    ds.meeting = meeting
    _open(session, ds, meeting.code, actor, seeds)
    return _maybe_waived(session, ds, actor, clock, workers)


def open_season(
    session: Session,
    year: int,
    max_panels: int | None,
    actor: Actor,
    *,
    seeds: SeedSource = secrets_part,
    past_reason: str = "",
    clock: Clock = SYSTEM_CLOCK,
    workers: int = 1,
) -> DrawSession:
    """The bureau asks for a season run of `year`: a commitment to part a. When meetings
    still to be drawn have already ended, `past_reason` is required (recorded)."""
    if jobs.active(session, season_job_key(year)) is not None:
        raise UserError(f"{year}年度的联合抽取正在后台进行，请等待其完成", field="draw")
    _refuse_twin(pending_season(session, year), "season", year)
    _, late = meeting_dates.season_past_reason(
        session,
        season_svc.meetings_to_draw(session, year),
        meeting_dates.today_of(clock),
        past_reason,
    )
    ds = DrawSession(
        kind="season",
        year=year,
        max_panels=max_panels,
        past_reason=late,
        requested_at=clock.utcnow(),
    )
    _open(session, ds, f"{year}年度", actor, seeds)
    return _maybe_waived(session, ds, actor, clock, workers)


def _maybe_waived(
    session: Session, ds: DrawSession, actor: Actor, clock: Clock, workers: int
) -> DrawSession:
    waiver = waiver_of(session, ds.year)
    if waiver is None:
        return ds
    ds.waiver = waiver.reason
    return _complete(session, ds, "", "waived", "", actor, clock, workers)


# -- the supervisor's part, and the draw --------------------------------------------------


def _control_free(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def clean_part(part_b: str) -> str:
    """Part b: not empty, at most 200 characters, no control characters (one message)."""
    value = (part_b or "").strip()
    if not value or len(value) > MAX_PART_CHARS or not _control_free(value):
        raise UserError(
            f"第二部分随机数应为1到{MAX_PART_CHARS}个字符的文字，不能含控制字符", field="part_b"
        )
    return value


def _public_note(ds: DrawSession, name: str, drawn_on: str, today: date) -> str:
    """A public source names itself and its date, which falls after the commitment."""
    name = (name or "").strip()
    if not name or len(name) > MAX_SOURCE_CHARS or not _control_free(name):
        raise UserError(
            f"请写明公开随机来源的名称和期号（1到{MAX_SOURCE_CHARS}个字符）", field="source"
        )
    try:
        day = date.fromisoformat((drawn_on or "").strip())
    except ValueError:
        raise UserError("公开随机来源的开奖日期应为“2024-10-15”这样的日期", field="date") from None
    committed = _local_day(ds.requested_at)
    if day < committed:
        raise UserError(
            f"公开随机来源须在承诺之后才确定：开奖日期不能早于{committed.isoformat()}",
            field="date",
        )
    if day > today:
        raise UserError("开奖日期不能晚于今天", field="date")
    return f"{name}（{day.isoformat()}）"


def _local_day(at: datetime) -> date:
    from datetime import UTC

    return at.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def enter_second_part(
    session: Session,
    ds: DrawSession,
    part_b: str,
    actor: Actor,
    *,
    source: str = "supervisor",
    public_name: str = "",
    public_date: str = "",
    clock: Clock = SYSTEM_CLOCK,
    workers: int = 1,
) -> DrawSession:
    """The supervisor's part b; the draw runs on H(a, b) and part a is revealed."""
    if actor.role != SUPERVISOR_ROLE:
        raise UserError("只有监督人（监管账户）可以输入第二部分随机数", field="part_b")
    if ds.state != "pending":
        raise UserError(f"该抽取承诺{STATES.get(ds.state, ds.state)}，不能再输入", field="part_b")
    value = clean_part(part_b)
    if source not in ("supervisor", "public"):
        raise UserError("请选择第二部分的来源", field="source")
    note = ""
    if source == "public":
        note = _public_note(ds, public_name, public_date, clock.shanghai_now().date())
    return _complete(session, ds, value, source, note, actor, clock, workers)


def _claim(session: Session, ds: DrawSession, state: str, loser: Callable[[str], str]) -> None:
    """Move `ds` out of pending once: a conditional UPDATE checked by its row count (a
    concurrent request that got there first makes it 0; on PostgreSQL this one waits for
    that request's commit, on SQLite for its write lock). The loser changes nothing: it gets
    `loser(state now)` as its one message and the caller rolls back."""
    claim = (
        update(DrawSession)
        .where(DrawSession.id == ds.id, DrawSession.state == "pending")
        .values(state=state)
    )
    if rows_changed(session, claim) != 1:
        now = session.scalar(select(DrawSession.state).where(DrawSession.id == ds.id))
        raise UserError(loser(str(now)), field="part_b" if state != "abandoned" else "note")
    ds.state = state


def _second_loser(now: str) -> str:
    if now == "abandoned":
        return "该抽取承诺已由他人放弃，不能再输入第二部分"
    return SECOND_TAKEN


def _refuse_stale(session: Session, ds: DrawSession) -> None:
    """A first-draw commitment whose meeting was drawn since (the command line, a stored
    season run) would need a redraw reason the supervisor's page does not ask for."""
    if ds.kind != "single" or ds.meeting is None or ds.reason:
        return
    previous = current_panel(session, ds.meeting)
    if previous is not None and previous.status == "drawn":
        raise UserError(STALE, field="part_b")


def _complete(
    session: Session,
    ds: DrawSession,
    part_b: str,
    source: str,
    note: str,
    actor: Actor,
    clock: Clock,
    workers: int,
) -> DrawSession:
    # A season run takes long: it is queued (drawing) and a worker draws and stores it.
    state = "drawn" if ds.kind == "single" else "drawing"
    _claim(session, ds, state, _second_loser)
    _refuse_stale(session, ds)
    now = clock.utcnow()
    ds.second_part, ds.second_source, ds.second_note = part_b, source, note
    ds.second_by, ds.second_at = actor.username, now
    ds.seed = combine(ds.office_part, part_b)
    ds.closed_by, ds.closed_at = actor.username, now
    target = ds.meeting.code if ds.meeting is not None else f"{ds.year}年度"
    audit.record(
        session,
        actor.username,
        actor.role,
        "draw_second_part",
        target,
        {
            "session": ds.id,
            "commitment": ds.commitment,
            "second": part_b,
            "source": source,
            "note": note,
            "waiver": ds.waiver,
            "seed": ds.seed,
        },
    )
    if ds.kind == "single":
        _draw_single(session, ds, clock, workers)
    else:
        session.flush()
        queue_season(session, ds, actor, clock=clock)
    session.flush()
    return ds


def _draw_single(session: Session, ds: DrawSession, clock: Clock, workers: int) -> None:
    meeting = ds.meeting
    assert meeting is not None
    panel = draw_on_seed(
        session,
        meeting,
        Actor(ds.requested_by, "office"),
        ds.seed,
        workers=workers,
        reason=ds.reason,
        extra={"seed_parts": seed_parts(ds)},
        past_reason=ds.past_reason,
        clock=clock,
    )
    ds.panel_id = panel.id


def _past_of_season(session: Session, ds: DrawSession, clock: Clock) -> dict[str, str]:
    """The meetings of a season run that had already ended, each with the run's reason."""
    today = meeting_dates.today_of(clock)
    meetings = season_svc.meetings_to_draw(session, ds.year)
    return {m.code: ds.past_reason for m in meetings if meeting_dates.has_ended(session, m, today)}


def season_job_key(year: int) -> str:
    return f"season:{year}"


def queue_season(
    session: Session, ds: DrawSession, actor: Actor, *, clock: Clock = SYSTEM_CLOCK
) -> Job:
    """Queue the season run of a commitment whose second part is in (or return the one
    already queued or running for the year). Also a new run after a failed one: the seed is
    fixed by the two parts, so running again gives the same plan."""
    if ds.kind != "season" or ds.state != "drawing":
        raise UserError(f"该抽取承诺{STATES.get(ds.state, ds.state)}，不能开始抽取", field="draw")
    return jobs.submit(
        session,
        "season",
        season_job_key(ds.year),
        {"session": ds.id, "target": f"{ds.year}年度", "past": _past_of_season(session, ds, clock)},
        actor,
        draw_session_id=ds.id,
        clock=clock,
    )


def draw_queued_season(
    session: Session,
    ds: DrawSession,
    progress: Callable[[dict[str, int]], None] | None = None,
    past: dict[str, str] | None = None,
) -> str:
    """The worker's part: draw the queued season run and record it, in the caller's
    transaction (committed together with the job's end); returns the run id. `past` holds
    the meetings that had ended when the second part was entered, with the run's reason."""
    if ds.kind != "season" or ds.state != "drawing":
        raise UserError(f"该抽取承诺{STATES.get(ds.state, ds.state)}，不能抽取", field="draw")
    _draw_season(session, ds, 1, progress, past or {})
    ds.state = "drawn"
    session.flush()
    return ds.run_id


def _draw_season(
    session: Session,
    ds: DrawSession,
    workers: int,
    progress: Callable[[dict[str, int]], None] | None = None,
    past: dict[str, str] | None = None,
) -> None:
    out = season_svc.run_season(
        session,
        ds.year,
        ds.max_panels,
        Actor(ds.requested_by, "bureau"),
        seeds=FixedSeed(ds.seed),
        progress=progress,
    )
    run = season_svc.load_run(session, out.run_id)
    data = season_svc.load_season(session, run["season_sha256"]) if run else None
    if run is None or data is None:  # just written in this transaction
        raise UserError("年度联合抽取的记录未能保存", field="season")
    parts = seed_parts(ds)
    run["plan"]["seed_parts"] = parts
    season_svc.save_run(session, data, dict(run, seed_parts=parts, session=ds.id, past=past or {}))
    ds.run_id = out.run_id


def _abandon_loser(now: str) -> str:
    return f"该抽取承诺已由他人处理（{STATES.get(now, now)}），不能放弃"


def abandon(
    session: Session, ds: DrawSession, note: str, actor: Actor, *, clock: Clock = SYSTEM_CLOCK
) -> DrawSession:
    """Give up a pending commitment; it stays on the record, its part a is never shown."""
    if ds.state != "pending":
        raise UserError(f"该抽取承诺{STATES.get(ds.state, ds.state)}，不能放弃", field="note")
    note = clean_reason(note, "放弃的原因")
    _claim(session, ds, "abandoned", _abandon_loser)
    ds.note = note
    ds.closed_by, ds.closed_at = actor.username, clock.utcnow()
    target = ds.meeting.code if ds.meeting is not None else f"{ds.year}年度"
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "draw_abandon",
        target,
        {"session": ds.id, "commitment": ds.commitment, "note": ds.note},
    )
    return ds
