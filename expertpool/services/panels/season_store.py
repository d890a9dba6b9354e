"""Storing a season plan: each drawn meeting of the plan becomes that meeting's panel."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import Meeting, Panel
from expertpool.services import audit
from expertpool.services.panels.draw import store_draw
from expertpool.services.panels.query import (
    MAX_REASON_CHARS,
    clean_reason,
    current_panel,
    result_of,
)
from expertpool.services.panels.sealing import is_sealed
from solver.errors import PackageError
from solver.season.package import parse_season


def _fully_drawn(run: dict[str, Any]) -> bool:
    panels = run.get("plan", {}).get("panels", {})
    return bool(panels) and all(p.get("status") == "drawn" for p in panels.values())


def newest_compliant_run(runs: list[dict[str, Any]]) -> str | None:
    """The run the bureau is expected to store: the newest whose every meeting is drawn
    (else the newest run). `runs` newest first, as `season.list_runs` gives them."""
    for run in runs:
        if _fully_drawn(run):
            return str(run.get("id"))
    return str(runs[0].get("id")) if runs else None


def why_reason_needed(
    session: Session, year: int, run_id: str, plan: dict[str, Any], runs: list[dict[str, Any]]
) -> list[str]:
    """Why storing this run needs a reason: it would void stored panels, or it is not the
    newest compliant run of the year (so no one can keep re-rolling and pick a run)."""
    why = []
    codes = [c for c, p in plan.get("panels", {}).items() if p.get("status") == "drawn"]
    stored = [
        m.code
        for m in session.scalars(select(Meeting).where(Meeting.code.in_(codes)))
        if current_panel(session, m) is not None
    ]
    if stored:
        why.append(f"将作废已保存的评委名单（{'、'.join(sorted(stored))}）")
    newest = newest_compliant_run(runs)
    if newest is not None and newest != run_id:
        why.append(f"不是{year}年度最新一次全部抽出的联合抽取（{newest}）")
    return why


def season_notice(panel: Panel | None) -> str:
    """For the meeting page: where a panel stored from a season plan came from, else ""."""
    if panel is None:
        return ""
    season = result_of(panel).get("season")
    if not isinstance(season, dict):
        return ""
    run = season.get("run") or f"年度数据包 {str(season.get('sha256', ''))[:12]}…"
    return f"本名单来自市人社局年度联合抽取（运行编号 {run}）"


def store_plan(
    session: Session,
    year: int,
    season_doc_bytes: bytes,
    plan: dict[str, Any],
    actor: Actor,
    *,
    reason: str = "",
    run_id: str = "",
    need_reason: list[str] | None = None,
    past: dict[str, str] | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Panel]:
    """Store each drawn meeting of a season plan as that meeting's current panel.

    `need_reason` (from `why_reason_needed`) lists why a reason is required; the reason is
    then kept on every stored panel and on the audit trail. `past` maps the codes of meetings
    that had already ended when the run was asked for to the reason given then (the run keeps
    it); it goes on those panels."""
    if need_reason:
        reason = clean_reason(reason, "保存该次联合抽取的原因（" + "；".join(need_reason) + "）")
    else:
        reason = (reason or "").strip()[:MAX_REASON_CHARS]
    try:
        season = parse_season(season_doc_bytes)
    except PackageError as exc:
        raise UserError(f"年度抽取数据有误：{exc.message}", field="season") from exc
    if plan.get("year") != year:
        raise UserError(f"年度联合抽取结果不是{year}年的", field="year")
    projections = {m.id: m.projection for m in season.meetings}
    panels_in = plan.get("panels", {})
    drawn = sorted(code for code, p in panels_in.items() if p.get("status") == "drawn")
    meetings = {
        m.code: m
        for m in session.scalars(
            select(Meeting).where(Meeting.code.in_(drawn)).options(selectinload(Meeting.committee))
        )
    }
    sealed = [code for code in drawn if code in meetings and is_sealed(session, meetings[code])]
    if sealed:
        raise UserError(
            f"以下例会的评委名单已锁定，不能用年度联合抽取结果覆盖：{'、'.join(sealed)}",
            field="season",
        )
    stored = []
    season_sha = hashlib.sha256(season_doc_bytes).hexdigest()
    for code in drawn:
        meeting = meetings.get(code)
        if meeting is None or code not in projections:
            raise UserError(f"例会编号不存在：{code}", field="meeting")
        result = dict(panels_in[code])
        result["season"] = {"sha256": season_sha, "seed": plan.get("seed"), "run": run_id}
        if "seed_parts" in plan:
            result["seed_parts"] = plan["seed_parts"]
        stored.append(
            store_draw(
                session,
                meeting,
                projections[code],
                result,
                actor,
                how="season",
                reason=reason,
                past_reason=(past or {}).get(code, ""),
                clock=clock,
            )
        )
    audit.record(
        session,
        actor.username,
        actor.role,
        "season_store",
        f"{year}年度",
        {"run": run_id, "reason": reason, "meetings": drawn, "why": need_reason or []},
    )
    return stored
