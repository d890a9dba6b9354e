"""Build the season package (expertpool.season/1) from the stored pool, and store a plan back."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import (
    Expert,
    Meeting,
    Panel,
    PanelSeat,
    PoolMembership,
    SeasonRun,
)
from expertpool.seeds import SeedSource, secrets_seed
from expertpool.services import audit
from expertpool.services.packages import (
    LISTED_STATUSES,
    attended_years,
    birth_date,
    build_package,
    needs_birth_dates,
)
from expertpool.services.rule_sources import rule_title
from solver.contract import canonical_bytes
from solver.errors import PackageError
from solver.season.package import parse_season
from solver.season.plan import plan_season
from solver.season.verify import season_exclusions

# Ours, editable per call: an expert sits on at most two panels a year.
DEFAULT_MAX_PANELS = 2


def sealed_meetings(session: Session, year: int) -> list[Meeting]:
    """Meetings of the year whose current panel is sealed: a season plan leaves them as they are."""
    return list(
        session.scalars(
            select(Meeting)
            .join(Panel, Panel.meeting_id == Meeting.id)
            .where(Meeting.year == year, Panel.status == "sealed")
            .order_by(Meeting.code)
        )
    )


def _sealed_seats(session: Session, sealed: list[Meeting]) -> dict[int, list[Meeting]]:
    """Expert id → the sealed meetings whose panel they sit on."""
    by_id = {m.id: m for m in sealed}
    out: dict[int, list[Meeting]] = defaultdict(list)
    stmt = (
        select(PanelSeat.expert_id, Panel.meeting_id)
        .join(Panel, Panel.id == PanelSeat.panel_id)
        .where(
            Panel.meeting_id.in_(list(by_id)),
            Panel.status == "sealed",
            PanelSeat.role == "member",
            PanelSeat.state.in_(("active", "no_show")),
        )
    )
    for expert_id, meeting_id in session.execute(stmt):
        out[expert_id].append(by_id[meeting_id])
    return out


def _meetings_to_draw(session: Session, year: int) -> tuple[list[Meeting], list[Meeting]]:
    """(meetings still to be drawn, sealed meetings) of the year; UserError when none."""
    every = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.year == year)
            .options(selectinload(Meeting.committee))
            .order_by(Meeting.code)
        )
    )
    if not every:
        raise UserError(f"{year}年没有评委会例会", field="year")
    sealed = sealed_meetings(session, year)
    sealed_ids = {m.id for m in sealed}
    meetings = [m for m in every if m.id not in sealed_ids]
    if not meetings:
        raise UserError(f"{year}年各例会的评委名单均已锁定，无需联合抽取", field="year")
    return meetings, sealed


def _season_pools(
    session: Session, meetings: list[Meeting], sealed: list[Meeting], max_panels: int | None
) -> dict[int, list[str]]:
    """Expert id → the codes of the meetings whose pool the expert is in, less the meetings
    that overlap one the expert sits on sealed, and all of them once `max_panels` is reached."""
    seated = _sealed_seats(session, sealed)
    meeting_of = {m.committee_id: m for m in meetings}
    pools: dict[int, list[str]] = defaultdict(list)
    for expert_id, committee_id in session.execute(
        select(PoolMembership.expert_id, PoolMembership.committee_id)
    ):
        m = meeting_of.get(committee_id)
        if m is None:
            continue
        mine = seated.get(expert_id, [])
        if max_panels is not None and len(mine) >= max_panels:
            continue
        if any(s.window_start <= m.window_end and s.window_end >= m.window_start for s in mine):
            continue
        pools[expert_id].append(m.code)
    return pools


def _season_served(session: Session, meetings: list[Meeting]) -> dict[int, dict[str, list[int]]]:
    """Expert id → meeting code → the years the expert sat on that meeting's committee."""
    code_of = {m.committee_id: m.code for m in meetings}
    served: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for expert_id, committee_id, y in attended_years(session):
        if committee_id in code_of:
            served[expert_id][code_of[committee_id]].append(y)
    return served


def _season_experts(
    session: Session,
    pools: dict[int, list[str]],
    served: dict[int, dict[str, list[int]]],
    ages: bool,
) -> list[dict[str, Any]]:
    """The season's expert entries (with birth dates when any meeting's rules need them)."""
    experts = session.scalars(
        select(Expert)
        .where(Expert.id.in_(list(pools)), Expert.status.in_(LISTED_STATUSES))
        .options(selectinload(Expert.unit))
        .order_by(Expert.code)
    )
    season_experts: list[dict[str, Any]] = []
    for e in experts:
        entry: dict[str, Any] = {
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
        if ages:
            entry["birth_date"] = birth_date(e)
        season_experts.append(entry)
    return season_experts


def _season_meeting(m: Meeting, pkg: dict[str, Any], in_pool: set[str]) -> dict[str, Any]:
    return {
        "id": m.code,
        "committee": m.committee.name,
        "level": m.committee.level,
        "window": pkg["meeting"]["window"],
        "rules": pkg["rules"],
        "applicants": pkg["applicants"],
        # An expert taken out of this pool (sealed elsewhere) has no conflict here.
        "conflicts": [c for c in pkg["conflicts"] if c["expert"] in in_pool],
        # The meeting's review groups, only where its package has them (bytes unchanged else).
        **({"groups": pkg["groups"]} if "groups" in pkg else {}),
    }


def build_season(
    session: Session, year: int, max_panels: int | None = DEFAULT_MAX_PANELS
) -> dict[str, Any]:
    """The season package of the year's meetings still to be drawn. Meetings whose panel is
    sealed stay as they are and are left out; their members are taken out of the pools of
    meetings overlapping theirs, and, once they have reached `max_panels`, out of all pools."""
    meetings, sealed = _meetings_to_draw(session, year)
    pools = _season_pools(session, meetings, sealed, max_panels)
    served = _season_served(session, meetings)
    packages = {m.code: build_package(session, m) for m in meetings}
    # Experts carry birth_date as a package does, where any meeting's rules need it.
    ages = any(needs_birth_dates(pkg["rules"]) for pkg in packages.values())
    season_experts = _season_experts(session, pools, served, ages)
    in_pool: dict[str, set[str]] = defaultdict(set)
    for entry in season_experts:
        for code in entry["pools"]:
            in_pool[code].add(entry["id"])
    doc: dict[str, Any] = {
        "format": "expertpool.season/1",
        "year": year,
        "experts": season_experts,
        "meetings": [_season_meeting(m, packages[m.code], in_pool[m.code]) for m in meetings],
    }
    if max_panels is not None:
        doc["max_panels_per_expert"] = max_panels
    return doc


def season_bytes(doc: dict[str, Any]) -> bytes:
    """The canonical bytes of a season package (solver.contract), as the plan hashes them."""
    return canonical_bytes(doc)


# -- season runs: kept in the database so any app server can show, store and replay them ---

_RUN_ID = re.compile(r"^[0-9]{4}-[0-9a-f]{1,32}$")


def save_run(session: Session, season_data: bytes, run: dict[str, Any], username: str = "") -> str:
    """Keep a run (its exact season package and plan); returns its id `YEAR-SEED`."""
    sha = hashlib.sha256(season_data).hexdigest()
    run_id = f"{run['year']}-{run['plan']['seed']}"
    row = session.scalar(select(SeasonRun).where(SeasonRun.run_id == run_id))
    if row is None:
        row = SeasonRun(
            run_id=run_id,
            year=int(run["year"]),
            seed=str(run["plan"]["seed"]),
            season_sha256=sha,
            season_json=season_data.decode("utf-8"),
            created_by=username,
        )
        session.add(row)
    row.run_json = json.dumps(dict(run, season_sha256=sha), ensure_ascii=False)
    row.stored = bool(run.get("stored"))
    session.flush()
    return run_id


def load_run(session: Session, run_id: str) -> dict[str, Any] | None:
    if not _RUN_ID.match(run_id or ""):
        return None
    row = session.scalar(select(SeasonRun).where(SeasonRun.run_id == run_id))
    return json.loads(row.run_json) if row else None


def list_runs(session: Session, year: int, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(SeasonRun).where(SeasonRun.year == year).order_by(SeasonRun.id.desc()).limit(limit)
    )
    return [dict(json.loads(r.run_json), id=r.run_id) for r in rows]


def load_plan_members(session: Session, season_sha256: str, seed: str) -> dict[str, Any] | None:
    """Each drawn meeting's members in the recorded run of this season package and seed."""
    row = session.scalars(
        select(SeasonRun)
        .where(SeasonRun.season_sha256 == season_sha256, SeasonRun.seed == seed)
        .limit(1)
    ).first()
    if row is None:
        return None
    panels = json.loads(row.run_json).get("plan", {}).get("panels", {})
    return {
        mid: list(p.get("members", []))
        for mid, p in panels.items()
        if isinstance(p, dict) and p.get("status") == "drawn"
    }


# (season SHA-256, seed) → exclusions per meeting. Both keys fix the season bytes and the plan,
# so the value never changes; parsing a city's season takes ~0.2 s, too much per page view.
_EXCLUSIONS: dict[tuple[str, str], dict[str, set[str]]] = {}
_EXCLUSIONS_KEPT = 8


def run_exclusions(session: Session, sha256: str, seed: str) -> dict[str, set[str]] | None:
    """For a recorded season run, the experts each meeting's alternates may not include
    (recomputed from the season package and the plan's members, never from a result file)."""
    key = (sha256, seed)
    if key in _EXCLUSIONS:
        return _EXCLUSIONS[key]
    season_data = load_season(session, sha256)
    members = load_plan_members(session, sha256, seed)
    if season_data is None or members is None:
        return None
    try:
        value = season_exclusions(parse_season(season_data), members)
    except PackageError:
        return None
    if len(_EXCLUSIONS) >= _EXCLUSIONS_KEPT:
        _EXCLUSIONS.pop(next(iter(_EXCLUSIONS)))
    _EXCLUSIONS[key] = value
    return value


def load_season(session: Session, sha256: str) -> bytes | None:
    """The season package with this SHA-256 (to replay panels stored from a season run)."""
    row = session.scalars(
        select(SeasonRun).where(SeasonRun.season_sha256 == (sha256 or "")).limit(1)
    ).first()
    if row is None:
        return None
    data = row.season_json.encode("utf-8")
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


# -- the bureau's joint draw of a year: build, plan, record ------------------------------

SEASON_RULES = {
    "season_overlap": "同一专家不能同时参加时间重叠的两次例会",
    "max_panels_per_expert": "每名专家每年参加的例会不超过规定次数",
}


class SeasonDataError(UserError):
    """The season package built from the database is not valid (`solver` refused it)."""


@dataclass(frozen=True)
class SeasonOutcome:
    """A recorded season run: its id, how many meetings were planned and drawn, and time."""

    run_id: str
    meetings: int
    drawn: int
    elapsed: float
    seed: str


def rule_name(rule: str) -> str:
    """The Chinese name of a per-meeting or season rule named in a plan's diagnosis."""
    if rule in SEASON_RULES:
        return SEASON_RULES[rule]
    return rule_title(rule)


def meetings_to_draw(session: Session, year: int) -> list[Meeting]:
    """The meetings of `year` a season run would draw (none: the run itself says why)."""
    try:
        return _meetings_to_draw(session, year)[0]
    except UserError:
        return []


def run_season(
    session: Session,
    year: int,
    max_panels: int | None,
    actor: Actor,
    *,
    seeds: SeedSource = secrets_seed,
    progress: Callable[[dict[str, int]], None] | None = None,
) -> SeasonOutcome:
    """Draw every meeting of `year` still to be drawn jointly with a fresh seed, and keep
    the run (season package and plan) with its audit event; nothing is stored as panels.
    `progress` observes the planner (seat questions asked, panels full); it never changes
    the plan.

    Raises `UserError` when there is nothing to draw, `SeasonDataError` when the built
    season package is refused by the solver's parser.
    """
    started = time.perf_counter()
    data = season_bytes(build_season(session, year, max_panels))
    seed = seeds()
    try:
        parsed = parse_season(data)
        plan = plan_season(parsed, seed, 1, progress) if progress else plan_season(parsed, seed, 1)
    except PackageError as exc:
        raise SeasonDataError(exc.message, field=exc.field) from exc
    elapsed = round(time.perf_counter() - started, 2)
    run_id = save_run(
        session,
        data,
        {
            "year": year,
            "plan": plan,
            "elapsed": elapsed,
            "by": actor.username,
            "max_panels": max_panels,
            "stored": False,
        },
        actor.username,
    )
    drawn = sum(1 for p in plan["panels"].values() if p.get("status") == "drawn")
    audit.record(
        session,
        actor.username,
        actor.role,
        "season_draw",
        f"{year}年度",
        {"seed": seed, "meetings": len(plan["panels"]), "drawn": drawn, "elapsed": elapsed},
    )
    return SeasonOutcome(run_id, len(plan["panels"]), drawn, elapsed, seed)


def run_rows(session: Session, run: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per planned meeting of a recorded run: outcome, counts and the diagnosis."""
    meetings = {
        m.code: m
        for m in session.scalars(
            select(Meeting).where(Meeting.code.in_(list(run["plan"]["panels"])))
        )
    }
    rows: list[dict[str, Any]] = []
    for code, panel in sorted(run["plan"]["panels"].items()):
        rows.append(
            {
                "code": code,
                "meeting": meetings.get(code),
                "status": panel.get("status"),
                "members": len(panel.get("members", [])),
                "alternates": len(panel.get("alternates", [])),
                "uncovered": len(panel.get("uncovered", [])),
                "diagnosis": [
                    (rule_name(str(d.get("rule", ""))), d.get("message", ""))
                    for d in panel.get("diagnosis", [])
                ],
            }
        )
    return rows
