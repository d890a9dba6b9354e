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
from expertpool.services.panels.draw import store_draw
from expertpool.services.panels.sealing import is_sealed
from solver.errors import PackageError
from solver.season.package import parse_season


def store_plan(
    session: Session,
    year: int,
    season_doc_bytes: bytes,
    plan: dict[str, Any],
    actor: Actor,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> list[Panel]:
    """Store each drawn meeting of a season plan as that meeting's current panel."""
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
        result["season"] = {"sha256": season_sha, "seed": plan.get("seed")}
        stored.append(
            store_draw(
                session,
                meeting,
                projections[code],
                result,
                actor,
                how="season",
                reason="年度联合抽取",
                clock=clock,
            )
        )
    return stored
