"""A member declines (请辞): the contract's replacement — the first fitting alternate, else
a redraw of the seat — checked against what happened since the draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import Expert, Panel, PanelSeat
from expertpool.services import audit
from expertpool.services.packages import seated_on_overlapping
from expertpool.services.panels import certificates
from expertpool.services.panels.drift import Drift, drift_since_draw, refuse_if_changed
from expertpool.services.panels.query import (
    clean_reason,
    dump_result,
    find_seat,
    package_of,
    result_bytes,
    result_of,
)
from expertpool.services.panels.sealing import refuse_sealed
from solver.engine import replace
from solver.errors import PackageError

DECLINE_HOW = {"alternate": "由备选专家递补", "redraw": "重新抽取补足"}


@dataclass(frozen=True)
class DeclineOutcome:
    declined: str
    by: str | None  # None when the panel could not be completed (status infeasible)
    how: str | None  # alternate | redraw
    message: str


def _codes(session: Session, expert_ids: set[int]) -> set[str]:
    if not expert_ids:
        return set()
    return set(session.scalars(select(Expert.code).where(Expert.id.in_(expert_ids))))


def _active_members(panel: Panel) -> set[str]:
    return {s.expert.code for s in panel.seats if s.role == "member" and s.state == "active"}


def _refuse_unfit_replacements(incoming: list[str], busy: set[str], drift: Drift) -> None:
    """The recorded package cannot know what happened since the draw: who was drawn for an
    overlapping meeting, who was suspended, which conflicts were declared. An expert the
    contract's replacement would seat must not be any of those."""
    problems = []
    for code in sorted(incoming):
        if code in busy:
            problems.append(f"{code}已在时间重叠的另一例会任评委")
        elif code in drift.unavailable:
            problems.append(f"{code}已不能参加抽取（已暂停、退出或列入黑名单）")
        elif code in drift.conflicted():
            problems.append(f"{code}的回避登记在抽取后有变化")
    if problems:
        raise UserError(
            "按规则应递补的专家不能递补：" + "；".join(problems) + "。请重新抽取本例会评委",
            field="expert",
        )


def _refuse_undeclinable(panel: Panel) -> None:
    refuse_sealed(panel)
    if panel.status != "drawn":
        raise UserError("只能对已抽出的评委名单登记请辞", field="panel")


def _declining_seat(panel: Panel, expert_code: str) -> PanelSeat:
    seat = find_seat(panel, expert_code, "member")
    if seat is None:
        raise UserError(f"“{expert_code}”不是本评委会的在任评委", field="expert")
    return seat


def _earlier_calls(old: dict[str, Any]) -> list[Any]:
    """The decline calls recorded so far; a panel declined before they were recorded had one
    decline per call (the web registers one at a time)."""
    calls = old.get("declines")
    if isinstance(calls, list):
        return list(calls)
    return [
        {"declined": [step.get("declined")], "unavailable": []}
        for step in old.get("replacements", [])
    ]


def _replacement_result(
    session: Session, panel: Panel, expert_code: str, workers: int, drift: Drift
) -> dict[str, Any]:
    """The contract's result after the decline, refused when it would seat anyone unfit."""
    old = result_of(panel)
    busy = _codes(session, seated_on_overlapping(session, panel.meeting))
    unavailable = busy | drift.unavailable | drift.conflicted()
    try:
        # A redrawn seat never goes to anyone booked, suspended or newly conflicted since.
        new = replace(package_of(panel), result_bytes(panel), [expert_code], workers, unavailable)
    except PackageError as exc:
        raise UserError(f"无法办理请辞：{exc.message}", field="expert") from exc
    # Each call, with whom a redraw had to leave out, so `verify --replay` can repeat it.
    new["declines"] = [
        *_earlier_calls(old),
        {"declined": [expert_code], "unavailable": sorted(unavailable)},
    ]
    for key in ("season", "season_excluded"):  # a season panel stays one after a decline
        if key in old:
            new[key] = old[key]
    incoming = [m for m in new.get("members", []) if m not in _active_members(panel)]
    _refuse_unfit_replacements(incoming, busy, drift)
    return new


def _seat_incoming(
    session: Session,
    panel: Panel,
    seat: PanelSeat,
    new: dict[str, Any],
    how: str | None,
    now: datetime,
) -> None:
    """Seat every member of `new` not yet seated, in the declining member's position; an
    alternate who steps up is marked used."""
    declined = seat.expert.code
    codes_to_ids = dict(
        session.execute(select(Expert.code, Expert.id).where(Expert.code.in_(new["members"]))).all()
    )
    active_members = _active_members(panel)
    for code in new["members"]:
        if code in active_members:
            continue
        alt = find_seat(panel, code, "alternate")
        if alt is not None:
            alt.state = "used"
            alt.changed_at = now
            alt.reason = f"递补{declined}"
        panel.seats.append(
            PanelSeat(
                expert_id=codes_to_ids[code],
                role="member",
                position=seat.position,
                reason=f"{DECLINE_HOW.get(how or '', '递补')}（替换{declined}）",
                changed_at=now,
            )
        )


def _last_step(new: dict[str, Any], expert_code: str) -> dict[str, Any] | None:
    history = new.get("replacements", [])
    if history and history[-1].get("declined") == expert_code:
        step: dict[str, Any] = history[-1]
        return step
    return None


def _apply_replacement(
    session: Session, panel: Panel, seat: PanelSeat, new: dict[str, Any], now: datetime
) -> DeclineOutcome:
    """Record the outcome of the replacement on the panel's seats and status."""
    expert_code = seat.expert.code
    if new["status"] != "drawn":
        panel.status = "infeasible"
        message = (
            f"{seat.expert.name}（{expert_code}）请辞后，没有备选专家可递补，"
            "保留其余评委也无法补抽出合规的评委会；按规定应重新组建评委会（请重新抽取）"
        )
        return DeclineOutcome(expert_code, None, None, message)
    step = _last_step(new, expert_code)
    by = step["by"] if step else None
    how = step["how"] if step else None
    _seat_incoming(session, panel, seat, new, how, now)
    replacement = session.scalar(select(Expert).where(Expert.code == by)) if by else None
    who = f"{replacement.name}（{by}）" if replacement else (by or "")
    message = f"已登记{seat.expert.name}（{expert_code}）请辞，{DECLINE_HOW.get(how or '', '递补')}：{who}"
    return DeclineOutcome(expert_code, by, how, message)


def decline(
    session: Session,
    panel: Panel,
    expert_code: str,
    reason: str,
    actor: Actor,
    *,
    workers: int = 1,
    clock: Clock = SYSTEM_CLOCK,
) -> DeclineOutcome:
    """A member declines: the contract's replacement (first fitting alternate, else redraw)."""
    _refuse_undeclinable(panel)
    reason = clean_reason(reason, "请辞理由")
    seat = _declining_seat(panel, expert_code)
    drift = drift_since_draw(session, panel)  # one fresh package for both checks
    refuse_if_changed(
        session, panel, "登记请辞", members_only=True, ignore=expert_code, drift=drift
    )
    new = _replacement_result(session, panel, expert_code, workers, drift)
    now = clock.utcnow()
    seat.state = "declined"
    seat.reason = reason
    seat.changed_at = now
    outcome = _apply_replacement(session, panel, seat, new, now)
    panel.result_json = dump_result(new)
    session.flush()
    certificates.certify(session, panel, actor, how="redraw", workers=workers, clock=clock)
    audit.record(
        session,
        actor.username,
        actor.role,
        "panel_decline",
        panel.meeting.code,
        {
            "panel": panel.id,
            "expert": expert_code,
            "reason": reason,
            "by": outcome.by,
            "how": outcome.how,
        },
    )
    return outcome
