"""The season plan: the lexicographically first season in a seeded order of (meeting, expert).

As for one meeting (solver/draw.py), the plan is decided by exact feasibility questions
only: walk the seeded order of seats, and give expert e a seat at meeting m iff some
compliant season contains every seat given so far plus this one and none refused. A witness
season answers most questions; a single swap inside m repairs it when e is free that week;
CP-SAT answers the rest. The answers are facts, so the plan depends on the seed alone.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from solver.alternates import alternates_for
from solver.diagnose import diagnose
from solver.draw import DrawSpace, draw_space, initial_witness
from solver.model import solver_info
from solver.panel import panel_dict
from solver.rowsystem import PartialState
from solver.sample import sample_candidates
from solver.season.model import SeasonModel
from solver.season.package import Season, parse_season
from solver.season.rules import SEASON_BY_ID, SEASON_RULES

PLAN_FORMAT = "expertpool.plan/1"

# Called after each seat question with {"meetings": meetings being drawn, "full": panels
# complete, "asked": seat questions answered, "filled": seats given, "seats_total": seats to
# fill}; it observes the plan and never changes it.
Progress = Callable[[dict[str, int]], None]


def _no_progress(_counts: dict[str, int]) -> None:
    return None


def seat_key(seed: str, season_sha: str, meeting: str, expert: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{season_sha}\x00{meeting}\x00{expert}".encode()).digest()


class SeasonSearch:
    """Fixed seats, refused seats and the current witness season, over the active meetings."""

    def __init__(
        self,
        season: Season,
        spaces: list[DrawSpace],
        model: SeasonModel,
        active: list[int],
        witness: dict[int, set[int]],
        workers: int,
        progress: Progress = _no_progress,
    ) -> None:
        self.season = season
        self.progress = progress
        self.spaces = spaces
        self.model = model
        self.active = active
        self.witness = witness
        self.workers = workers
        self.states = {j: PartialState(spaces[j].system) for j in active}
        self.fixed_at: dict[str, set[int]] = defaultdict(set)  # expert → meetings seated
        self.overlap = {
            j: {k for k in active if k != j and season.meetings[j].overlaps(season.meetings[k])}
            for j in active
        }
        self.solver_calls = 0
        self.samples: dict[int, set[int]] = {}

    def _id(self, j: int, i: int) -> str:
        return self.spaces[j].feat.ids[i]

    def season_blocked(self, eid: str, j: int, seats: dict[str, set[int]]) -> bool:
        """Would a seat at j put e on two overlapping panels or past the cap, given `seats`?"""
        have = seats.get(eid, set())
        return any(r.blocks(self.season, have, j, self.overlap[j]) for r in SEASON_RULES)

    def _witness_seats(self) -> dict[str, set[int]]:
        out: dict[str, set[int]] = defaultdict(set)
        for j, sel in self.witness.items():
            for i in sel:
                out[self._id(j, i)].add(j)
        return out

    def decide(self, j: int, i: int) -> bool:
        eid = self._id(j, i)
        if i in self.witness[j]:
            return True
        if self.season_blocked(eid, j, self.fixed_at) or self.states[j].surely_impossible(i):
            return False
        if not self.season_blocked(eid, j, self._witness_seats()):
            sel = sorted(self.witness[j])
            fixed = set(self.states[j].fixed)
            outs = [w for w in sel if w not in fixed]
            ok = self.spaces[j].system.swap_ok(sel, outs, i)
            for w, good in zip(outs, ok, strict=True):
                if good:
                    self.witness[j].discard(w)
                    self.witness[j].add(i)
                    return True
        self.model.set_seat(j, i, 1, 1)
        self.solver_calls += 1
        keep = {k: self.samples.get(k, set()) | self.witness.get(k, set()) for k in self.active}
        keep[j] = keep[j] | {i}
        found = self.model.solve_restricted(self.workers, keep, hint=self.witness)
        if found is None:
            found = self.model.solve(self.workers, hint=self.witness)
        self.model.set_seat(j, i, 0, 1)
        if found is None:
            return False
        self.witness = found
        return True

    def fix(self, j: int, i: int, seated: bool) -> None:
        self.states[j].fix(i, seated)
        self.model.set_seat(j, i, int(seated), int(seated))
        if seated:
            self.fixed_at[self._id(j, i)].add(j)

    def run(
        self, order: list[tuple[int, int]], samples: dict[int, set[int]]
    ) -> dict[int, list[int]]:
        self.samples = samples
        pairs = order
        chosen: dict[int, list[int]] = {j: [] for j in self.active}
        full = 0
        asked = filled = 0
        counts = {"meetings": len(self.active), "seats_total": self._seats_total()}
        for j, i in pairs:
            if full == len(self.active):
                break
            if len(chosen[j]) >= self.spaces[j].feat.n:
                continue
            seated = self.decide(j, i)
            self.fix(j, i, seated)
            asked += 1
            if seated:
                chosen[j].append(i)
                filled += 1
                if len(chosen[j]) == self.spaces[j].feat.n:
                    full += 1
                    for k in range(self.spaces[j].feat.m):  # the rest of m stays empty
                        if self.states[j].free[k]:
                            self.fix(j, k, False)
            self.progress({**counts, "full": full, "asked": asked, "filled": filled})
        self.progress({**counts, "full": full, "asked": asked, "filled": filled})
        return chosen

    def _seats_total(self) -> int:
        return sum(self.spaces[j].feat.n for j in self.active)


def _competition(
    season: Season, model: SeasonModel, spaces: list[DrawSpace], drawn: list[int], j: int
) -> dict[str, Any]:
    """Why meeting j, feasible alone, cannot join the drawn meetings: a minimal core."""
    model.free_all()
    others = [k for k in drawn if k != j]
    assumptions = [model.active[j], *model.rule_lit.values(), *(model.active[k] for k in others)]
    core = model.core(assumptions)
    if core is None:  # pragma: no cover - the caller saw infeasibility
        core = assumptions
    # Deletion: drop each competing meeting whose removal keeps the set infeasible.
    keep = {a.index: a for a in core}
    for k in others:
        idx = model.active[k].index
        if idx in keep:
            trial = [a for x, a in keep.items() if x != idx]
            if model.core(trial) is not None:
                keep.pop(idx)
    rivals = [k for k in others if model.active[k].index in keep]
    # Which season rule is needed: leave each out in turn.
    rules = []
    for rid, lit in model.rule_lit.items():
        if lit.index in keep and model.core([a for x, a in keep.items() if x != lit.index]) is None:
            rules.append(rid)
    ids = set(spaces[j].feat.ids)
    contested = sorted(ids & {e for k in rivals for e in spaces[k].feat.ids})
    full = {e.id for e in season.meetings[j].pkg.experts if e.rank == "正高级"}
    names = "、".join(season.meetings[k].id for k in rivals)
    rule = rules[0] if rules else SEASON_RULES[0].id
    text = "；".join(SEASON_BY_ID[r].why(season) for r in rules) or SEASON_BY_ID[rule].why(season)
    message = (
        f"例会{season.meetings[j].id}单独可以抽取，但与例会{names}同时抽取时无法满足（{text}）："
        f"共同候选专家{len(contested)}名，其中正高级{len(set(contested) & full)}名"
    )
    seats = season.meetings[j].pkg.rules.panel_size + sum(
        season.meetings[k].pkg.rules.panel_size for k in rivals
    )
    pool = set(ids).union(*(spaces[k].feat.ids for k in rivals))
    return {
        "rule": rule,
        "message": message,
        "need": seats,
        "have": len(pool),
        "meetings": [season.meetings[k].id for k in rivals],
        "contested": len(contested),
        "rules": rules,
    }


def seat_order(
    season: Season, spaces: list[DrawSpace], seed: str, active: list[int]
) -> list[tuple[int, int]]:
    """Every (meeting, candidate) seat of the active meetings, in the seeded order."""
    keyed = [
        (seat_key(seed, season.sha256, season.meetings[j].id, eid), j, i)
        for j in active
        for i, eid in enumerate(spaces[j].feat.ids)
    ]
    keyed.sort()
    return [(j, i) for _key, j, i in keyed]


def _solve(
    model: SeasonModel, samples: dict[int, set[int]], workers: int
) -> dict[int, set[int]] | None:
    """A season on the sampled candidates if there is one (fast), else on all of them (exact)."""
    found = model.solve_restricted(workers, samples)
    return found if found is not None else model.solve(workers)


def plan_season(
    season: Season, seed: str, workers: int = 1, progress: Progress = _no_progress
) -> dict[str, Any]:
    started = time.perf_counter()
    ms = season.meetings
    spaces = [draw_space(m.pkg) for m in ms]
    model = SeasonModel(season, spaces)
    possible = [j for j in range(len(ms)) if spaces[j].feat.m >= spaces[j].feat.n]
    order = seat_order(season, spaces, seed, possible)
    per_meeting: dict[int, list[int]] = {j: [] for j in possible}
    for j, i in order:
        per_meeting[j].append(i)
    samples = {j: sample_candidates(spaces[j].system, per_meeting[j]) for j in possible}
    # The meetings to draw: all that can be drawn alone, unless they compete; then, in
    # priority order (window start, id), each meeting that still fits beside those before it.
    model.set_active(possible)
    witness = _solve(model, samples, workers) if possible else {}
    if witness is not None:
        alone = set(possible)  # a joint season proves each meeting feasible alone
        drawn = list(possible)
    else:
        alone = {j for j in possible if initial_witness(spaces[j], [], workers) is not None}
        for j in possible:
            spaces[j].ctx = None  # the single-meeting models are not needed any more
        drawn = []
        witness = {}
        for j in sorted(alone):
            model.set_active([*drawn, j])
            found = _solve(model, samples, workers)
            if found is not None:
                drawn.append(j)
                witness = found
        model.set_active(drawn)
        order = [(j, i) for j, i in order if j in set(drawn)]
    search = SeasonSearch(
        season,
        spaces,
        model,
        drawn,
        {j: set(witness.get(j, set())) for j in drawn},
        workers,
        progress,
    )
    chosen = search.run(order, samples)
    seats_of: dict[str, set[int]] = defaultdict(set)
    for j, sel in chosen.items():
        for i in sel:
            seats_of[spaces[j].feat.ids[i]].add(j)
    panels: dict[str, Any] = {}
    for j, m in enumerate(ms):
        info = solver_info(started)
        if j in chosen:
            members = sorted(spaces[j].feat.ids[i] for i in chosen[j])
            blocked = [
                e
                for e in spaces[j].feat.ids
                if e not in members and search.season_blocked(e, j, seats_of)
            ]
            alts, unc = alternates_for(m.pkg, spaces[j], members, seed, workers, excluded=blocked)
            panels[m.id] = panel_dict(
                m.pkg,
                seed,
                members=members,
                alternates=alts,
                uncovered=unc,
                solver_info=info,
                status="drawn",
            )
            if blocked:  # experts the season keeps off this meeting's alternates
                panels[m.id]["season_excluded"] = sorted(blocked)
        else:
            diag = (
                [_competition(season, model, spaces, drawn, j)] if j in alone else diagnose(m.pkg)
            )
            panels[m.id] = panel_dict(
                m.pkg,
                seed,
                members=[],
                alternates=[],
                uncovered=[],
                diagnosis=diag,
                solver_info=info,
                status="infeasible",
            )
    return {
        "format": PLAN_FORMAT,
        "year": season.year,
        "seed": seed,
        "season_sha256": season.sha256,
        "panels": dict(sorted(panels.items())),
        "solver": solver_info(
            started, solver_calls=search.solver_calls, meetings=len(ms), drawn=len(chosen)
        ),
    }


def plan(season_bytes: bytes, seed: str, workers: int = 1) -> dict[str, Any]:
    """Plan a season file: the `expertpool.plan/1` dict. Raises PackageError on bad input."""
    return plan_season(parse_season(season_bytes), seed, workers)
