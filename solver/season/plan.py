"""The season plan: the lexicographically first season in a seeded order of (meeting, expert).

As for one meeting (solver/draw.py), the plan is decided by exact feasibility questions
only: walk the seeded order of seats, and give expert e a seat at meeting m iff some
compliant season contains every seat given so far plus this one and none refused. The
answers are facts, so the plan depends on the seed alone, whichever exact oracle gives them;
the cheapest that settles a question answers it (counted by kind in `plan["solver"]`):
the witness season and a swap inside m; the single-meeting bounds and reduced model with the
seats held elsewhere as exclusions (solver/season/single.py: no panel of m avoiding the
experts blocked by FIXED seats means no; a panel avoiding those blocked by the witness's
panels is a new witness); a repair moving other meetings' witness seats; and only then the
joint CP-SAT model (solver/season/model.py, built lazily), restricted to samples first.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from solver.alternates import alternates_for
from solver.diagnose import diagnose
from solver.draw import DrawSpace, draw_space
from solver.model import solver_info
from solver.panel import panel_dict
from solver.reduced import ReducedOracle
from solver.rowsystem import PartialState
from solver.sample import sample_candidates
from solver.season.counting import (
    SEATS,
    Demand,
    Proof,
    counting_proof,
    lp_proof,
    lp_refutes,
    meeting_rows,
    proof_diagnosis,
    proof_holds,
    season_rows,
)
from solver.season.model import SeasonModel
from solver.season.package import Season, parse_season
from solver.season.rules import SEASON_BY_ID, SEASON_RULES, SeasonRule
from solver.season.single import ask_avoiding, panel_avoiding, swap_in

PLAN_FORMAT = "expertpool.plan/1"

# Called after each seat question with {"meetings": meetings being drawn, "full": panels
# complete, "asked": seat questions answered, "filled": seats given, "seats_total": seats to
# fill}; it observes the plan and never changes it.
Progress = Callable[[dict[str, int]], None]


def _no_progress(_counts: dict[str, int]) -> None:
    return None


def seat_key(seed: str, season_sha: str, meeting: str, expert: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{season_sha}\x00{meeting}\x00{expert}".encode()).digest()


class LazyModel:
    """The joint CP-SAT model, built only when a question needs it (most seasons never do,
    and at province scale it is the largest object of the plan)."""

    def __init__(self, season: Season, spaces: list[DrawSpace]) -> None:
        self.season = season
        self.spaces = spaces
        self._model: SeasonModel | None = None
        self.active: list[int] = []
        self.seats: dict[tuple[int, int], bool] = {}  # (meeting, candidate) → seated

    def get(self) -> SeasonModel:
        if self._model is None:
            self._model = SeasonModel(self.season, self.spaces)
            self._model.set_active(self.active)
            for (j, i), seated in self.seats.items():
                self._model.set_seat(j, i, int(seated), int(seated))
        return self._model

    def set_active(self, active: list[int]) -> None:
        self.active = list(active)
        if self._model is not None:
            self._model.set_active(self.active)

    def set_seat(self, j: int, i: int, seated: bool) -> None:
        self.seats[(j, i)] = seated
        if self._model is not None:
            self._model.set_seat(j, i, int(seated), int(seated))


CALL_KINDS = (
    "joint",
    "restricted",
    "single",
    "bound_no",
    "witness_yes",
    "swap",
    "repair",
    "counting",
    "lp",
)


# Meetings beside j in the LP relaxation of a seat question (those sharing most candidates).
LP_RIVALS = 8
LP_PER_ROW = 2  # of them, per demand row of the seat's meeting
LP_MISSES = 3  # relaxations in a row at one meeting that prove nothing before it stops trying
LP_SEATS = True  # the LP step before a seat question's full joint solve


class SeasonSearch:
    """Fixed seats, refused seats and the current witness season, over the active meetings.

    A seat question is answered by the cheapest exact oracle that settles it: the witness
    (and a swap inside it), the single-meeting bounds and reduced model with the seats held
    elsewhere as exclusions (solver/season/single.py), a repair that moves other meetings'
    witness panels, and only then the joint model (restricted to samples first).
    """

    def __init__(
        self,
        season: Season,
        spaces: list[DrawSpace],
        model: LazyModel,
        active: list[int],
        witness: dict[int, set[int]],
        workers: int,
        progress: Progress = _no_progress,
        orders: dict[int, list[int]] | None = None,
        calls: dict[str, int] | None = None,
    ) -> None:
        self.season = season
        self.progress = progress
        self.spaces = spaces
        self.model = model
        self.active = active
        self.witness = witness
        self._seats: dict[str, set[int]] | None = None  # the witness's seats, kept until it changes
        self.workers = workers
        self.orders = orders or {j: list(range(spaces[j].feat.m)) for j in active}
        self.states = {j: PartialState(spaces[j].system) for j in active}
        self.oracles = {
            j: ReducedOracle(spaces[j].system, self.states[j], workers, self.orders[j])
            for j in active
        }
        self.fixed_at: dict[str, set[int]] = defaultdict(set)  # expert → meetings seated
        self.overlap = {
            j: {k for k in active if k != j and season.meetings[j].overlaps(season.meetings[k])}
            for j in active
        }
        # expert id → [(meeting, candidate index)] over the active meetings
        self.cands: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for j in active:
            for i, eid in enumerate(spaces[j].feat.ids):
                self.cands[eid].append((j, i))
        self.calls = calls if calls is not None else dict.fromkeys(CALL_KINDS, 0)
        self.samples: dict[int, set[int]] = {}
        # meeting → (its LP sub-season, that sub-season's rows), built once
        self._lp_parts: dict[int, tuple[list[int], list[Any]]] = {}
        self._lp_misses: dict[int, int] = {}  # meeting → relaxations in a row that proved nothing

    @property
    def solver_calls(self) -> int:
        return sum(self.calls[k] for k in ("joint", "restricted", "single"))

    def _id(self, j: int, i: int) -> str:
        return self.spaces[j].feat.ids[i]

    def season_blocked(
        self,
        eid: str,
        j: int,
        seats: dict[str, set[int]],
        rules: Sequence[SeasonRule] = SEASON_RULES,
    ) -> bool:
        """Would a seat at j put e on two overlapping panels or past the cap, given `seats`?"""
        have = seats.get(eid, set())
        return any(r.blocks(self.season, have, j, self.overlap[j]) for r in rules)

    def _set_witness(self, witness: dict[int, set[int]]) -> None:
        """The new witness; its seats are updated only where a panel changed."""
        old, self.witness = self.witness, witness
        seats = self._seats
        if seats is None:
            return
        for k in set(old) | set(witness):
            before, after = old.get(k, set()), witness.get(k, set())
            if before is after or before == after:
                continue
            for i in before - after:
                seats[self._id(k, i)].discard(k)
            for i in after - before:
                seats[self._id(k, i)].add(k)

    def _current_seats(self) -> dict[str, set[int]]:
        if self._seats is None:
            self._seats = self._witness_seats(self.witness)
        return self._seats

    def _blocking(self, eid: str, j: int, seats: dict[str, set[int]]) -> int:
        """How many season rules block a seat of e at j given `seats`."""
        have = seats.get(eid, set())
        return sum(r.blocks(self.season, have, j, self.overlap[j]) for r in SEASON_RULES)

    def _witness_seats(self, witness: dict[int, set[int]]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = defaultdict(set)
        for j, sel in witness.items():
            for i in sel:
                out[self._id(j, i)].add(j)
        return out

    def blocked_at(self, j: int, seats: dict[str, set[int]]) -> list[int]:
        """Free candidates of j the season rules block given `seats` (only experts holding a
        seat can be blocked, so only they are looked at)."""
        pos = self.spaces[j].feat.pos
        free = self.states[j].free
        out = []
        for eid in seats:
            i = pos.get(eid)
            if i is not None and free[i] and self.season_blocked(eid, j, seats):
                out.append(i)
        return sorted(out)

    def _count(self, kind: str) -> None:
        self.calls[kind] += 1

    def decide(self, j: int, i: int) -> bool:
        eid = self._id(j, i)
        if i in self.witness[j]:
            return True
        oracle = self.oracles[j]
        if (
            self.season_blocked(eid, j, self.fixed_at)
            or self.states[j].surely_impossible(i)
            or oracle.known_impossible(i)
        ):
            self._count("bound_no")
            return False
        seats = self._current_seats()
        i_free = not self.season_blocked(eid, j, seats)
        if i_free and self._swap(j, i):
            self._count("swap")
            return True
        extra = [k for k in self.blocked_at(j, seats) if k != i]
        if i_free and extra:  # the restriction: a panel here is a season with the witness
            self._count("single")
            found = ask_avoiding(self.spaces[j], self.states[j], extra, i, self.workers)
            if found is not None:
                self._count("witness_yes")
                self._set_witness({**self.witness, j: set(found)})
                return True
        self._count("single")  # the relaxation: no panel here, no season either
        oracle.witness = self.witness[j]
        found = oracle.ask(i)
        if found is None:
            return False
        if not extra and i_free:  # nothing is blocked by the witness: the panel is a season
            self._count("witness_yes")
            self._set_witness({**self.witness, j: set(found)})
            return True
        if self._repair(j, set(found)):
            self._count("repair")
            return True
        return self._joint(j, i)

    def _swap(self, j: int, i: int) -> bool:
        sel = sorted(self.witness[j])
        fixed = set(self.states[j].fixed)
        outs = [w for w in sel if w not in fixed]
        ok = self.spaces[j].system.swap_ok(sel, outs, i)
        for w, good in zip(outs, ok, strict=True):
            if good:
                self._set_witness({**self.witness, j: (self.witness[j] - {w}) | {i}})
                return True
        return False

    def _repair(self, j: int, panel: set[int]) -> bool:
        """Put `panel` at j and move the other meetings' witness seats it collides with: each
        expert on it blocked by its witness seats elsewhere gives up its unfixed ones, and
        each meeting that lost members is completed again avoiding everyone now blocked.
        A season built so is a season (a proof of yes); a failure proves nothing."""
        trial = {k: set(v) for k, v in self.witness.items()}
        trial[j] = set(panel)
        lost: dict[int, set[int]] = defaultdict(set)  # meeting → the candidates it lost
        seats = self._witness_seats(trial)
        for i in sorted(panel):
            eid = self._id(j, i)
            for k, pos in self.cands[eid]:
                if not self._blocking(eid, j, seats):
                    break
                if k == j or pos not in trial[k] or pos in self.states[k].fixed:
                    continue
                before = self._blocking(eid, j, seats)
                seats[eid].discard(k)
                if self._blocking(eid, j, seats) < before:  # a seat worth giving up
                    trial[k].discard(pos)
                    lost[k].add(pos)
                else:
                    seats[eid].add(k)
            if self._blocking(eid, j, seats):
                return False
        for k in sorted(lost):
            moved = self._complete(k, trial, lost[k])
            if moved is None:
                return False
            trial[k] = moved
        self._set_witness(trial)
        return True

    def _complete(self, k: int, trial: dict[int, set[int]], lost: set[int]) -> set[int] | None:
        """A compliant panel at k holding its fixed seats, avoiding its refused seats, the
        candidates it lost and everyone blocked given the other panels of `trial`: one swap
        into the old panel when one member was lost, else the reduced model around a
        remaining member. None proves nothing."""
        seats = self._witness_seats(trial)
        blocked = self.blocked_at(k, seats)
        allowed = self.states[k].free.copy()
        allowed[blocked] = False
        allowed[sorted(lost)] = False
        if len(lost) == 1:
            (out,) = lost
            moved = swap_in(self.spaces[k], trial[k] | lost, out, allowed, self.orders[k])
            if moved is not None:
                return moved
        fixed = set(self.states[k].fixed)
        anchors = [x for x in sorted(trial[k]) if x not in fixed]
        anchors = anchors or [x for x in self.orders[k] if allowed[x]][:1]
        if not anchors:
            return None
        excluded = [
            x for x in np.flatnonzero(~allowed & self.states[k].free).tolist() if x != anchors[0]
        ]
        self._count("single")
        found = ask_avoiding(self.spaces[k], self.states[k], excluded, anchors[0], self.workers)
        return None if found is None else set(found)

    def _joint(self, j: int, i: int) -> bool:
        model = self.model.get()
        model.set_seat(j, i, 1, 1)
        keep = {k: self.samples.get(k, set()) | self.witness.get(k, set()) for k in self.active}
        keep[j] = keep[j] | {i}
        self._count("restricted")
        found = model.solve_restricted(self.workers, keep, hint=self.witness)
        if found is None and not (LP_SEATS and self._lp_worth(j) and self._lp_refutes(j, i)):
            self._count("joint")
            found = model.solve(self.workers, hint=self.witness)
        model.set_seat(j, i, 0, 1)
        if found is None:
            return False
        self._set_witness({k: found[k] for k in self.active})
        return True

    def _lp_part(self, j: int) -> list[int]:
        """j and, for each of its demand rows (正高级, a specialty, a unit kind, the experts
        under an age), the active meetings sharing most experts of that same row: the
        meetings that compete for them. A sub-season: its LP relaxation refuting a seat
        refutes it in the whole season too."""
        demand = Demand(self.spaces)
        rivals: list[int] = []
        for key, (members, _bound) in sorted(demand.of(j).items()):
            if key == SEATS:
                continue
            shared = {
                k: len(members & demand.of(k)[key][0])
                for k in self.active
                if k != j and key in demand.of(k)
            }
            best = sorted((k for k in shared if shared[k]), key=lambda k: (-shared[k], k))
            rivals += [k for k in best[:LP_PER_ROW] if k not in rivals]
        return sorted([j, *rivals[:LP_RIVALS]])

    def _lp_worth(self, j: int) -> bool:
        """After LP_MISSES relaxations in a row at j that proved nothing, j's seat questions go
        straight to the joint model (a count of work done, never a clock: the answers, and so
        the plan, are the same either way)."""
        return self._lp_misses.get(j, 0) < LP_MISSES

    def _lp_refutes(self, j: int, i: int) -> bool:
        """The LP relaxation of j's sub-season with the seats decided so far and (j, i):
        infeasible, checked exactly, means no season (the joint model is not asked)."""
        part = self._lp_parts.get(j)
        if part is None:
            meetings = self._lp_part(j)
            rows = [r for k in meetings for r in meeting_rows(self.season, self.spaces, k)]
            part = self._lp_parts[j] = (
                meetings,
                rows + season_rows(self.season, self.spaces, meetings),
            )
        fixed: dict[tuple[int, str], int] = {}
        for k in part[0]:
            ids, state = self.spaces[k].feat.ids, self.states[k]
            for x in np.flatnonzero(~state.free).tolist():
                fixed[(k, ids[x])] = 0
            for x in state.fixed:
                fixed[(k, ids[x])] = 1
        fixed[(j, self._id(j, i))] = 1
        self._count("lp")
        refuted = lp_refutes(part[1], fixed)
        self._lp_misses[j] = 0 if refuted else self._lp_misses.get(j, 0) + 1
        return refuted

    def fix(self, j: int, i: int, seated: bool) -> None:
        if not self.states[j].free[i]:
            return
        self.states[j].fix(i, seated)
        self.model.set_seat(j, i, seated)
        if not seated:
            return
        eid = self._id(j, i)
        self.fixed_at[eid].add(j)
        # A seat held for good blocks the expert elsewhere for good: refused there too.
        for k, pos in self.cands[eid]:
            if k != j and self.states[k].free[pos] and self.season_blocked(eid, k, self.fixed_at):
                self.states[k].fix(pos, False)

    def run(
        self, order: list[tuple[int, int]], samples: dict[int, set[int]]
    ) -> dict[int, list[int]]:
        self.samples = samples
        chosen: dict[int, list[int]] = {j: [] for j in self.active}
        full = 0
        asked = filled = 0
        counts = {"meetings": len(self.active), "seats_total": self._seats_total()}
        for j, i in order:
            if full == len(self.active):
                break
            if len(chosen[j]) >= self.spaces[j].feat.n:
                continue
            seated = self.states[j].free[i] and self.decide(j, i)
            self.fix(j, i, seated)
            asked += 1
            if seated:
                chosen[j].append(i)
                filled += 1
                if len(chosen[j]) == self.spaces[j].feat.n:
                    full += 1
                    for k in np.flatnonzero(self.states[j].free).tolist():
                        self.fix(j, k, False)  # the rest of m stays empty
            self.progress({**counts, "full": full, "asked": asked, "filled": filled})
        self.progress({**counts, "full": full, "asked": asked, "filled": filled})
        return chosen

    def _seats_total(self) -> int:
        return sum(self.spaces[j].feat.n for j in self.active)


Infeasible = Callable[[list[Any]], bool]


def _infeasible_test(
    model: SeasonModel,
    probe: SeasonSearch,
    chosen: dict[int, list[int]],
    j: int,
    workers: int,
) -> Infeasible:
    """Can the meetings and season rules asserted in `trial` not all hold? The plan's panels
    of the drawn meetings among them, with a panel of j avoiding everyone those panels block,
    prove they can without the joint model; only otherwise is its core asked."""

    def infeasible(trial: list[Any]) -> bool:
        idx = {a.index for a in trial}
        if model.active[j].index not in idx:
            return False  # drawn meetings only: the plan's panels are such a season
        seats: dict[str, set[int]] = defaultdict(set)
        for k, sel in chosen.items():
            if k != j and model.active[k].index in idx:
                for i in sel:
                    seats[probe.spaces[k].feat.ids[i]].add(k)
        pos = probe.spaces[j].feat.pos
        rules = [r for r in SEASON_RULES if model.rule_lit[r.id].index in idx]  # the rest are off
        blocked = {pos[e] for e in seats if e in pos and probe.season_blocked(e, j, seats, rules)}
        probe.calls["single"] += 1
        if panel_avoiding(probe.spaces[j], blocked, workers, probe.orders[j]) is not None:
            return False
        probe.calls["joint"] += 1
        return model.core(trial) is not None

    return infeasible


def _competition(
    season: Season,
    model: SeasonModel,
    spaces: list[DrawSpace],
    drawn: list[int],
    j: int,
    infeasible: Infeasible | None = None,
) -> dict[str, Any]:
    """Why meeting j, feasible alone, cannot join the drawn meetings: a minimal core."""
    if infeasible is None:
        infeasible = lambda trial: model.core(trial) is not None  # noqa: E731
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
            if infeasible(trial):
                keep.pop(idx)
    rivals = [k for k in others if model.active[k].index in keep]
    # Which season rule is needed: leave each out in turn.
    rules = []
    for rid, lit in model.rule_lit.items():
        if lit.index in keep and not infeasible([a for x, a in keep.items() if x != lit.index]):
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


def _joint_witness(
    lazy: LazyModel,
    samples: dict[int, set[int]],
    witness: dict[int, set[int]],
    workers: int,
    calls: dict[str, int],
) -> dict[int, set[int]] | None:
    """A season on the sampled candidates if there is one (fast), else on all of them (exact)."""
    model = lazy.get()
    keep = {k: samples.get(k, set()) | witness.get(k, set()) for k in lazy.active}
    calls["restricted"] += 1
    found = model.solve_restricted(workers, keep, hint=witness)
    if found is None:
        calls["joint"] += 1
        found = model.solve(workers, hint=witness)
    return found


# How many drawn meetings (those sharing most candidates with a meeting) are tried beside it
# first: a part of the season that cannot be drawn proves the whole cannot, on a far smaller
# model; a part that can proves nothing and the whole season is asked.
RIVALS_FIRST = 3


def _part_cannot_join(
    probe: SeasonSearch, lazy: LazyModel, drawn: list[int], j: int, workers: int
) -> bool:
    if len(drawn) <= RIVALS_FIRST:
        return False
    mine = set(probe.spaces[j].feat.ids)
    shared = {k: len(mine.intersection(probe.spaces[k].feat.ids)) for k in drawn}
    part = sorted(drawn, key=lambda k: (-shared[k], k))[:RIVALS_FIRST]
    lazy.set_active(sorted([*part, j]))
    probe.calls["joint"] += 1
    return lazy.get().solve(workers) is None


def _cannot_join(probe: SeasonSearch, demand: Demand, drawn: list[int], j: int) -> Proof | None:
    """A counting proof, else an LP proof (checked exactly), that j cannot join `drawn`."""
    season, spaces = probe.season, probe.spaces
    proof = counting_proof(season, demand, drawn, j)
    if proof is not None and proof_holds(season, spaces, proof):
        probe.calls["counting"] += 1
        return proof
    probe.calls["lp"] += 1
    proof = lp_proof(season, spaces, demand, drawn, j)
    return proof if proof is not None and proof_holds(season, spaces, proof) else None


def _draw_set(
    probe: SeasonSearch, lazy: LazyModel, samples: dict[int, set[int]], workers: int
) -> tuple[list[int], set[int], dict[int, set[int]], dict[int, Proof]]:
    """The meetings to draw, those feasible alone, and a witness season of the drawn ones.

    In priority order (window start, id), each meeting that still fits beside those before
    it is drawn. A panel of the meeting avoiding everyone the season rules block given the
    witness so far proves it fits (the witness grows by it); only when none exists and the
    meeting is feasible alone does the joint model decide, after a counting or LP proof that
    it cannot join (solver/season/counting.py; kept for the diagnosis) was looked for. A
    meeting that fits is feasible alone, so when every meeting fits this equals "all of them
    can be drawn together".
    """
    witness: dict[int, set[int]] = {}
    proofs: dict[int, Proof] = {}
    demand = Demand(probe.spaces)
    drawn: list[int] = []
    alone: set[int] = set()
    for j in probe.active:
        space, order = probe.spaces[j], probe.orders[j]
        blocked = set(probe.blocked_at(j, probe._witness_seats(witness)))
        probe.calls["single"] += 1
        panel = panel_avoiding(space, blocked, workers, order)
        if panel is None and blocked:
            probe.calls["single"] += 1
            alone_ok = panel_avoiding(space, set(), workers, order) is not None
        else:
            alone_ok = panel is not None
        if not alone_ok:
            continue
        alone.add(j)
        if panel is not None:
            probe.calls["witness_yes"] += 1
            drawn.append(j)
            witness[j] = panel
            continue
        proof = _cannot_join(probe, demand, drawn, j)
        if proof is not None:
            proofs[j] = proof
            continue
        if _part_cannot_join(probe, lazy, drawn, j, workers):
            continue
        lazy.set_active([*drawn, j])
        found = _joint_witness(lazy, samples, witness, workers, probe.calls)
        if found is not None:
            drawn.append(j)
            witness = {k: found[k] for k in drawn}
    return drawn, alone, witness, proofs


def _season_excluded(search: SeasonSearch, j: int, members: list[str]) -> list[str]:
    """Experts the season keeps off meeting j's alternates: blocked given the plan's seats."""
    seats = search.fixed_at
    pos = search.spaces[j].feat.pos
    out = [e for e in seats if e in pos and e not in members and search.season_blocked(e, j, seats)]
    return sorted(out, key=pos.__getitem__)


def plan_season(
    season: Season,
    seed: str,
    workers: int = 1,
    progress: Progress = _no_progress,
    proofs: bool = True,
) -> dict[str, Any]:
    """The plan. With `proofs`, a meeting shown unable to join by a counting or LP proof is
    diagnosed from that proof (the counting sentence and its multipliers); without, every such
    meeting gets the competition diagnosis of the plans recorded before issue 20 (the regression
    corpus's seasons keep their bytes so)."""
    started = time.perf_counter()
    ms = season.meetings
    spaces = [draw_space(m.pkg) for m in ms]
    lazy = LazyModel(season, spaces)
    possible = [j for j in range(len(ms)) if spaces[j].feat.m >= spaces[j].feat.n]
    order = seat_order(season, spaces, seed, possible)
    per_meeting: dict[int, list[int]] = {j: [] for j in possible}
    for j, i in order:
        per_meeting[j].append(i)
    samples = {j: sample_candidates(spaces[j].system, per_meeting[j]) for j in possible}
    calls = dict.fromkeys(CALL_KINDS, 0)
    probe = SeasonSearch(
        season, spaces, lazy, possible, {}, workers, orders=per_meeting, calls=calls
    )
    drawn, alone, witness, found = _draw_set(probe, lazy, samples, workers)
    lazy.set_active(drawn)
    if len(drawn) < len(possible):
        order = [(j, i) for j, i in order if j in set(drawn)]
    search = SeasonSearch(
        season,
        spaces,
        lazy,
        drawn,
        {j: set(witness.get(j, set())) for j in drawn},
        workers,
        progress,
        orders=per_meeting,
        calls=calls,
    )
    chosen = search.run(order, samples)
    panels: dict[str, Any] = {}
    for j, m in enumerate(ms):
        info = solver_info(started)
        if j in chosen:
            members = sorted(spaces[j].feat.ids[i] for i in chosen[j])
            blocked = _season_excluded(search, j, members)
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
            if proofs and j in found:
                diag = [proof_diagnosis(season, spaces, found[j], j)]
            elif j in alone:
                model = lazy.get()
                test = _infeasible_test(model, probe, chosen, j, workers)
                calls["joint"] += 1  # the competition's first core
                diag = [_competition(season, model, spaces, drawn, j, test)]
            else:
                diag = diagnose(m.pkg)
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
            started,
            solver_calls=search.solver_calls,
            calls=dict(calls),
            meetings=len(ms),
            drawn=len(chosen),
        ),
    }


def plan(season_bytes: bytes, seed: str, workers: int = 1, proofs: bool = True) -> dict[str, Any]:
    """Plan a season file: the `expertpool.plan/1` dict. Raises PackageError on bad input."""
    return plan_season(parse_season(season_bytes), seed, workers, proofs=proofs)
