"""Drawing a meeting's panel, and storing a drawn result as the meeting's current panel.

A panel row keeps the exact package bytes the draw read (`package_json`), the seed, and the
current `expertpool.panel/1` result (`result_json`). The first result of the draw is kept
inside the result under the extra key ``original`` (the contract allows extra fields), so a
replay compares against what was drawn, not what declines made of it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import Expert, Meeting, Panel, PanelSeat
from expertpool.seeds import SeedSource, secrets_seed
from expertpool.services import audit
from expertpool.services.packages import build_package, package_bytes
from expertpool.services.panels import certificates
from expertpool.services.panels.query import (
    MAX_REASON_CHARS,
    clean_reason,
    current_panel,
    dump_result,
    original_of,
)
from expertpool.services.panels.sealing import refuse_if_sealed, refuse_sealed
from solver.engine import draw
from solver.errors import PackageError


def _add_seats(session: Session, panel: Panel, result: dict[str, Any]) -> None:
    codes = [*result.get("members", []), *result.get("alternates", [])]
    ids = {
        code: eid
        for code, eid in session.execute(
            select(Expert.code, Expert.id).where(Expert.code.in_(codes))
        )
    }
    for pos, code in enumerate(sorted(result.get("members", []))):
        panel.seats.append(PanelSeat(expert_id=ids[code], role="member", position=pos))
    for pos, code in enumerate(result.get("alternates", [])):
        panel.seats.append(PanelSeat(expert_id=ids[code], role="alternate", position=pos))


def redraw_reason(previous: Panel | None, reason: str) -> str:
    """Setting aside a compliant unsealed draw must say why, or redrawing could be used to
    fish for a preferred panel; the reason goes on the new panel and the audit trail."""
    if previous is not None and previous.status == "drawn":
        return clean_reason(reason, "重新抽取的原因")
    return (reason or "").strip()[:MAX_REASON_CHARS]


def store_draw(
    session: Session,
    meeting: Meeting,
    data: bytes,
    result: dict[str, Any],
    actor: Actor,
    *,
    how: str,
    reason: str = "",
    past_reason: str = "",
    clock: Clock = SYSTEM_CLOCK,
) -> Panel:
    """Store `result`, drawn from package `data`, as the meeting's current panel; the
    unsealed earlier one is voided. `how` is "single" or "season" (the audit action).
    `past_reason` (already checked by the caller, see `meeting_dates`) says why a meeting
    that had already ended was drawn; it stays on the panel."""
    previous = current_panel(session, meeting)
    refuse_sealed(previous)
    reason = redraw_reason(previous, reason)
    if previous is not None:
        previous.status = "void"
    result = dict(result)
    result["original"] = original_of(result)
    panel = Panel(
        meeting_id=meeting.id,
        status="drawn" if result["status"] == "drawn" else "infeasible",
        seed=str(result["seed"]),
        instance_sha256=hashlib.sha256(data).hexdigest(),
        package_json=data.decode("utf-8"),
        result_json=dump_result(result),
        drawn_by=actor.username,
        drawn_at=clock.utcnow(),
        redraw_reason=reason if previous is not None else "",
        past_reason=past_reason,
    )
    panel.meeting = meeting
    session.add(panel)
    _add_seats(session, panel, result)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "draw" if how == "single" else "season_draw",
        meeting.code,
        {
            "panel": panel.id,
            "seed": panel.seed,
            "instance_sha256": panel.instance_sha256,
            "status": result["status"],
            "how": how,
            "voided": previous.id if previous is not None else None,
            "reason": reason if previous is not None else "",
            "past_reason": past_reason,
        },
    )
    return panel


def draw_meeting(
    session: Session,
    meeting: Meeting,
    actor: Actor,
    *,
    seeds: SeedSource = secrets_seed,
    workers: int = 1,
    reason: str = "",
    clock: Clock = SYSTEM_CLOCK,
) -> Panel:
    """Draw the meeting's panel with a fresh seed from `seeds` (by default `secrets`); an
    unsealed earlier draw is voided, and when that one was compliant, `reason` must say why
    it is drawn again. (The web's draws go through `draw_sessions`: a two-party seed.)"""
    refuse_if_sealed(session, meeting)
    redraw_reason(current_panel(session, meeting), reason)
    return draw_on_seed(
        session, meeting, actor, seeds(), workers=workers, reason=reason, clock=clock
    )


def draw_on_seed(
    session: Session,
    meeting: Meeting,
    actor: Actor,
    seed: str,
    *,
    workers: int = 1,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    past_reason: str = "",
    clock: Clock = SYSTEM_CLOCK,
) -> Panel:
    """Draw the meeting's panel on `seed`; `extra` fields (the seed's parts) go into the
    result file, which the contract allows."""
    refuse_if_sealed(session, meeting)
    reason = redraw_reason(current_panel(session, meeting), reason)
    today = clock.shanghai_now().date()
    data = package_bytes(build_package(session, meeting, exclude_busy=True, today=today))
    try:
        result = draw(data, seed, workers)
    except PackageError as exc:
        raise UserError(f"抽取数据有误：{exc.message}", field="package") from exc
    result.update(extra or {})
    panel = store_draw(
        session,
        meeting,
        data,
        result,
        actor,
        how="single",
        reason=reason,
        past_reason=past_reason,
        clock=clock,
    )
    certificates.certify(session, panel, actor, how="draw", workers=workers, clock=clock)
    return panel
