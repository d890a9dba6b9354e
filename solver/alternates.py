"""Alternates: maximum coverage, then lex-first in the seeded order among the best sets.

Alternate x covers member m when the panel with m replaced by x complies. The draw picks
min(alternates, #eligible non-members) alternates covering as many members as possible
(optimum proven by CP-SAT when a greedy cover does not already reach every coverable member),
and among those sets the lexicographically first in the seeded order. `uncovered` is read off
the exact compatibility matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from ortools.sat.python import cp_model

from solver.contract import Package
from solver.errors import SolverFailure
from solver.model import make_solver
from solver.order import seeded_order
from solver.rowsystem import RowSystem
from solver.search import lex_first

if TYPE_CHECKING:  # pragma: no cover
    from solver.draw import DrawSpace


def _popcount(v: int) -> int:
    return v.bit_count()


def _signatures(compat: np.ndarray) -> list[int]:
    weights = [1 << j for j in range(compat.shape[1])]
    return [sum(w for w, bit in zip(weights, row, strict=True) if bit) for row in compat.tolist()]


def _greedy_cover(sigs: Sequence[int], k: int) -> tuple[int, list[int]]:
    distinct = sorted(set(s for s in sigs if s))
    covered, picked = 0, []
    for _ in range(k):
        best = max(distinct, key=lambda s: _popcount(s & ~covered), default=0)
        if best == 0 or (best & ~covered) == 0:
            break
        covered |= best
        picked.append(best)
    return covered, picked


def _coverage_model(
    groups: Sequence[int],
    avail: Sequence[int],
    n_members: int,
    slots: int,
    base: int,
    target: int | None,
    *,
    at_most: bool = False,
) -> tuple[cp_model.CpModel, list[cp_model.IntVar], list[cp_model.IntVar]]:
    """Choose `slots` items from signature groups (avail per group) on top of `base` coverage."""
    model = cp_model.CpModel()
    y = [model.new_int_var(0, min(a, slots), f"y{g}") for g, a in enumerate(avail)]
    if at_most:
        model.add(sum(y) <= slots)
    else:
        model.add(sum(y) == slots)
    zs = []
    for j in range(n_members):
        if base >> j & 1:
            continue
        covering = [y[g] for g, s in enumerate(groups) if s >> j & 1]
        if not covering:
            continue
        z = model.new_bool_var(f"z{j}")
        model.add(z <= sum(covering))
        zs.append(z)
    if target is None:
        model.maximize(sum(zs))
    else:
        model.add(sum(zs) + _popcount(base) >= target)
    return model, y, zs


def _solve(model: cp_model.CpModel, workers: int) -> tuple[Any, cp_model.CpSolver]:
    solver = make_solver(workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
        raise SolverFailure(f"CP-SAT 未能给出结论（状态 {solver.status_name(status)}）")
    return status, solver


class CoverageOracle:
    """Exact answers to "can F ∪ {x} be completed to k alternates with coverage ≥ C*?"."""

    def __init__(
        self, sigs: list[int], n_members: int, k: int, target: int, witness: set[int], workers: int
    ) -> None:
        self.sigs = sigs
        self.k = k
        self.target = target
        self.witness = witness
        self.workers = workers
        self.fixed: list[int] = []
        self.cov_fixed = 0
        self.free_by_sig: dict[int, set[int]] = {}
        for i, s in enumerate(sigs):
            self.free_by_sig.setdefault(s, set()).add(i)
        self.n_free = len(sigs)
        self.n_members = n_members
        # Candidates with one signature are interchangeable: an impossible answer holds for
        # the whole signature until F grows (rejections only shrink what is free).
        self._impossible: set[int] = set()
        self._bound: dict[int, bool] = {}

    def _cov(self, items: Sequence[int]) -> int:
        out = 0
        for i in items:
            out |= self.sigs[i]
        return out

    def surely_impossible(self, x: int) -> bool:
        if self.sigs[x] in self._impossible:
            return True
        # The bound depends on x through its signature only; a stale "not proven" is safe
        # (the exact check follows) and "impossible" stays so as the free set shrinks.
        cached = self._bound.get(self.sigs[x])
        if cached is None:
            cached = self._bound[self.sigs[x]] = self._bound_fails(x)
        return cached

    def _bound_fails(self, x: int) -> bool:
        rem = self.k - len(self.fixed) - 1
        if rem < 0 or self.n_free - 1 < rem:
            return True
        base = self.cov_fixed | self.sigs[x]
        if self.n_members <= 62:  # signatures fit in int64: count the gains with numpy
            keys = np.fromiter(self.free_by_sig.keys(), dtype=np.int64, count=len(self.free_by_sig))
            avail = np.fromiter(
                (len(f) - (x in f) for f in self.free_by_sig.values()),
                dtype=np.int64,
                count=len(self.free_by_sig),
            )
            gain = np.bitwise_count(keys & ~np.int64(base)).astype(np.int64)[avail > 0]
            top = np.sort(gain)[::-1][:rem]
            return _popcount(base) + int(top.sum()) < self.target
        gains = sorted(
            (
                _popcount(s & ~base)
                for s, free in self.free_by_sig.items()
                if free and (len(free) > 1 or x not in free)
            ),
            reverse=True,
        )
        return _popcount(base) + sum(gains[:rem]) < self.target

    def repair(self, x: int) -> bool:
        fixed = set(self.fixed)
        for w in sorted(self.witness - fixed):
            trial = (self.witness - {w}) | {x}
            if _popcount(self._cov(sorted(trial))) >= self.target:
                self.witness = trial
                return True
        return False

    def solve_with(self, x: int) -> bool:
        rem = self.k - len(self.fixed) - 1
        base = self.cov_fixed | self.sigs[x]
        groups = sorted(s for s, free in self.free_by_sig.items() if free)
        avail = [len(self.free_by_sig[s] - {x}) for s in groups]
        model, y, _ = _coverage_model(groups, avail, self.n_members, rem, base, self.target)
        status, solver = _solve(model, self.workers)
        if status == cp_model.INFEASIBLE:
            self._impossible.add(self.sigs[x])
            return False
        witness = set(self.fixed) | {x}
        for g, s in enumerate(groups):
            take = solver.value(y[g])
            witness |= set(sorted(self.free_by_sig[s] - {x})[:take])
        self.witness = witness
        return True

    def fix(self, x: int, member: bool) -> None:
        self.free_by_sig[self.sigs[x]].discard(x)
        self.n_free -= 1
        if member:
            self.fixed.append(x)
            self.cov_fixed |= self.sigs[x]
            self._impossible.clear()
            self._bound.clear()


def choose_alternates(
    system: RowSystem,
    members: Sequence[int],
    non_members_in_order: Sequence[int],
    wanted: int,
    workers: int = 1,
) -> tuple[list[int], list[int]]:
    """(alternates in seeded order, indices into `members` that stay uncovered)."""
    xs = list(non_members_in_order)
    k = min(wanted, len(xs))
    n_members = len(members)
    if k == 0:
        return [], list(range(n_members))
    compat = system.compatibility(members, xs)
    sigs = _signatures(compat)
    union = 0
    for s in sigs:
        union |= s
    covered, picked = _greedy_cover(sigs, k)
    if covered == union:
        target = _popcount(union)
        chosen_sigs = picked
    else:
        groups = sorted(set(s for s in sigs if s))
        counts = {s: 0 for s in groups}
        for s in sigs:
            if s:
                counts[s] += 1
        # Slots not needed for coverage are filled later, hence "at most k" here.
        model, y, _ = _coverage_model(
            groups, [counts[s] for s in groups], n_members, k, 0, None, at_most=True
        )
        status, solver = _solve(model, workers)
        if status == cp_model.INFEASIBLE:  # pragma: no cover - y = 0 is always feasible
            raise SolverFailure("覆盖模型无解")
        target = int(round(solver.objective_value))
        chosen_sigs = [s for g, s in enumerate(groups) if solver.value(y[g]) > 0]
    # Initial witness: one holder of each chosen signature, then fill with anything.
    witness: set[int] = set()
    by_sig: dict[int, list[int]] = {}
    for i, s in enumerate(sigs):
        by_sig.setdefault(s, []).append(i)
    for s in chosen_sigs:
        witness.add(by_sig[s][0])
    for i in range(len(xs)):
        if len(witness) >= k:
            break
        witness.add(i)
    oracle = CoverageOracle(sigs, n_members, k, target, witness, workers)
    picked_pos = lex_first(range(len(xs)), k, oracle)
    cover = 0
    for i in picked_pos:
        cover |= sigs[i]
    uncovered = [j for j in range(n_members) if not cover >> j & 1]
    return [xs[i] for i in picked_pos], uncovered


def alternates_for(
    pkg: Package,
    space: DrawSpace,
    members: Sequence[str],
    seed: str,
    workers: int,
    *,
    excluded: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """Alternates (seeded order) and uncovered members (sorted) for a drawn panel."""
    feat = space.feat
    member_set = set(members)
    skip = set(excluded)
    mem_idx = [feat.pos[m] for m in sorted(members)]
    order = seeded_order(seed, pkg.instance_sha256, feat.ids)
    xs = [feat.pos[e] for e in order if e not in member_set and e not in skip]
    alts, unc = choose_alternates(space.system, mem_idx, xs, pkg.rules.alternates, workers)
    return [feat.ids[i] for i in alts], sorted(feat.ids[mem_idx[j]] for j in unc)
