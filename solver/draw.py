"""The lexicographically first compliant panel in the seeded order of the experts."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.alternates import alternates_for
from solver.contract import Package
from solver.diagnose import diagnose
from solver.features import Features, eligible_mask
from solver.model import ModelContext, build_model, solve_feasibility, solver_info
from solver.order import seeded_order
from solver.panel import panel_dict
from solver.reduced import ReducedOracle
from solver.rowsystem import PartialState, RowSystem
from solver.sample import sample_candidates
from solver.search import lex_first


@dataclass
class DrawSpace:
    """Eligible candidates (minus exclusions) with their row system and CP-SAT model."""

    feat: Features
    system: RowSystem
    ctx: ModelContext | None = None

    def model(self) -> ModelContext:
        if self.ctx is None:
            self.ctx, _ = build_model(self.feat)
        return self.ctx


def draw_space(pkg: Package, excluded: Iterable[str] = ()) -> DrawSpace:
    skip = set(excluded)
    mask = eligible_mask(pkg, pkg.experts)
    cands = [e for e, ok in zip(pkg.experts, mask, strict=True) if ok and e.id not in skip]
    feat = Features(pkg, cands)
    return DrawSpace(feat=feat, system=RowSystem(feat))


class PanelOracle:
    """Exact answers to "can F ∪ {x} be completed to a compliant panel avoiding R?"."""

    def __init__(
        self,
        space: DrawSpace,
        witness: Sequence[int],
        fixed: Sequence[int],
        workers: int,
        order: Sequence[int] | None = None,
    ):
        self.space = space
        self.system = space.system
        self.state = PartialState(self.system, fixed)
        self.witness: set[int] = {int(i) for i in witness}
        self.workers = workers
        self.solver_calls = 0
        self.proven_out: list[int] = []
        self.reduced = ReducedOracle(
            self.system, self.state, workers, list(order) if order is not None else None
        )

    def surely_impossible(self, x: int) -> bool:
        return (
            self.state.surely_impossible(x)
            or self.reduced.known_impossible(x)
            or self.reduced.dominated(x, self.proven_out)
        )

    def repair(self, x: int) -> bool:
        fixed = set(self.state.fixed)
        sel = sorted(self.witness)
        outs = [w for w in sel if w not in fixed]
        ok = self.system.swap_ok(sel, outs, x)
        hits = np.flatnonzero(ok)
        if len(hits) == 0:
            return False
        out = outs[int(hits[0])]
        self.witness.discard(out)
        self.witness.add(x)
        return True

    def solve_with(self, x: int) -> bool:
        # Exact on the reduced model of interchangeable candidates (solver/reduced.py).
        self.solver_calls += 1
        self.reduced.witness = self.witness
        found = self.reduced.ask(x)
        if found is None:
            return False
        self.witness = set(found)
        return True

    def fix(self, x: int, member: bool) -> None:
        if not member:  # every rejection is a proof, so it can dominate later candidates
            self.proven_out.append(x)
        self.state.fix(x, member)


def release_model(space: DrawSpace) -> None:
    """Forget the fixings of a previous search (a fresh model is built on next use)."""
    space.ctx = None


def initial_witness(
    space: DrawSpace, fixed: Sequence[int], workers: int, order: Sequence[int] | None = None
) -> np.ndarray | None:
    """A compliant panel containing `fixed` (candidate indices), or None when none exists.

    With an `order`, a model over a small sample of candidates is tried first (a panel
    found there is a panel of the whole pool); the whole pool is modelled only if needed.
    """
    if order is not None:
        keep = sorted(sample_candidates(space.system, order, fixed))
        if len(keep) < space.feat.m:
            sub = Features(space.feat.pkg, [space.feat.experts[i] for i in keep])
            ctx, _ = build_model(sub)
            for i in fixed:
                ctx.set_domain(keep.index(i), 1, 1)
            found = solve_feasibility(ctx, workers)
            if found is not None:
                return np.array(sorted(keep[int(i)] for i in found), dtype=np.int64)
    ctx = space.model()
    for i in fixed:
        ctx.set_domain(i, 1, 1)
    found = solve_feasibility(ctx, workers)
    for i in fixed:
        ctx.set_domain(i, 0, 1)
    return found


def lex_first_panel(
    pkg: Package,
    seed: str,
    workers: int = 1,
    *,
    fixed_ids: Sequence[str] = (),
    excluded: Iterable[str] = (),
    space: DrawSpace | None = None,
) -> tuple[list[str] | None, DrawSpace, dict[str, int]]:
    """Members (ids sorted) of the lex-first compliant panel containing `fixed_ids`, or None."""
    space = space or draw_space(pkg, excluded)
    feat = space.feat
    stats = {"candidates": feat.m, "solver_calls": 0}
    if feat.m < feat.n or any(f not in feat.pos for f in fixed_ids):
        return None, space, stats
    fixed = [feat.pos[f] for f in fixed_ids]
    order = [feat.pos[eid] for eid in seeded_order(seed, pkg.instance_sha256, feat.ids)]
    witness = initial_witness(space, fixed, workers, order)
    stats["solver_calls"] = 1
    if witness is None:
        return None, space, stats
    oracle = PanelOracle(space, witness.tolist(), fixed, workers, order)
    chosen = lex_first(order, feat.n, oracle, fixed=fixed)
    stats["solver_calls"] += oracle.solver_calls
    release_model(space)
    return sorted(feat.ids[i] for i in chosen), space, stats


def draw_package(pkg: Package, seed: str, workers: int = 1) -> dict[str, Any]:
    """The `expertpool.panel/1` dict of a parsed package: the lex-first panel and its
    alternates, or the diagnosis when no compliant panel exists."""
    started = time.perf_counter()
    members, space, _stats = lex_first_panel(pkg, seed, workers)
    if members is None:
        return panel_dict(
            pkg,
            seed,
            members=[],
            alternates=[],
            uncovered=[],
            diagnosis=diagnose(pkg),
            solver_info=solver_info(started),
            status="infeasible",
        )
    alts, unc = alternates_for(pkg, space, members, seed, workers)
    return panel_dict(
        pkg,
        seed,
        members=members,
        alternates=alts,
        uncovered=unc,
        solver_info=solver_info(started),
        status="drawn",
    )
