"""Build the season package (expertpool.season/1) from the stored pool, and store a plan back."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.errors import UserError
from expertpool.models import Expert, Meeting, PoolMembership, ServiceRecord
from expertpool.services.packages import _LISTED_STATUSES, build_package

# Ours, editable per call: an expert sits on at most two panels a year.
DEFAULT_MAX_PANELS = 2


def build_season(session: Session, year: int, max_panels: int | None = DEFAULT_MAX_PANELS) -> dict:
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.year == year)
            .options(selectinload(Meeting.committee))
            .order_by(Meeting.code)
        )
    )
    if not meetings:
        raise UserError(f"{year}年没有评委会例会", field="year")
    code_of = {m.committee_id: m.code for m in meetings}
    pools: dict[int, list[str]] = defaultdict(list)
    for expert_id, committee_id in session.execute(
        select(PoolMembership.expert_id, PoolMembership.committee_id)
    ):
        if committee_id in code_of:
            pools[expert_id].append(code_of[committee_id])
    served: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    stmt = select(ServiceRecord.expert_id, ServiceRecord.committee_id, ServiceRecord.year).where(
        ServiceRecord.attended.is_(True)
    )
    for expert_id, committee_id, y in session.execute(stmt):
        if committee_id in code_of:
            served[expert_id][code_of[committee_id]].append(y)
    experts = session.scalars(
        select(Expert)
        .where(Expert.id.in_(list(pools)), Expert.status.in_(_LISTED_STATUSES))
        .options(selectinload(Expert.unit))
        .order_by(Expert.code)
    )
    season_experts = []
    for e in experts:
        season_experts.append(
            {
                "id": e.code,
                "name": e.name,
                "unit": e.unit.uscc,
                "unit_kind": e.unit.kind,
                "rank": e.rank,
                "specialties": sorted(set(e.specialties)),
                "pools": sorted(pools[e.id]),
                "served": {k: sorted(set(v)) for k, v in sorted(served[e.id].items())},
                "available": e.status == "在库",
            }
        )
    season_meetings = []
    for m in meetings:
        pkg = build_package(session, m)
        season_meetings.append(
            {
                "id": m.code,
                "committee": m.committee.name,
                "level": m.committee.level,
                "window": pkg["meeting"]["window"],
                "rules": pkg["rules"],
                "applicants": pkg["applicants"],
                "conflicts": pkg["conflicts"],
            }
        )
    doc = {
        "format": "expertpool.season/1",
        "year": year,
        "experts": season_experts,
        "meetings": season_meetings,
    }
    if max_panels is not None:
        doc["max_panels_per_expert"] = max_panels
    return doc


def season_bytes(doc: dict) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
