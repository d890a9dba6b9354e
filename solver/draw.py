"""The lexicographically first compliant panel in the seeded order of the experts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from solver.features import Features, eligible_mask
from solver.model import ModelContext, build_model, solve_feasibility
from solver.order import seeded_order
from solver.package import Package
from solver.search import lex_first
from solver.slack import PartialState, RowSystem


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
        self, space: DrawSpace, witness: Sequence[int], fixed: Sequence[int], workers: int
    ):
        self.space = space
        self.system = space.system
        self.state = PartialState(self.system, fixed)
        self.witness: set[int] = {int(i) for i in witness}
        self.workers = workers
        self.solver_calls = 0
        self.proven_out: list[int] = []
        self._fixed_in_model: list[tuple[int, int]] = [(i, 1) for i in fixed]
        self._applied = 0

    def surely_impossible(self, x: int) -> bool:
        return self.state.surely_impossible(x) or self.state.dominated(x, self.proven_out)

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
        ctx = self.space.model()
        for i, v in self._fixed_in_model[self._applied :]:
            ctx.set_domain(i, v, v)
        self._applied = len(self._fixed_in_model)
        ctx.set_domain(x, 1, 1)
        ctx.model.clear_hints()
        for w in sorted(self.witness):
            ctx.model.add_hint(ctx.x[w], 1)
        self.solver_calls += 1
        found = solve_feasibility(ctx, self.workers)
        ctx.set_domain(x, 0, 1)
        if found is None:
            return False
        self.witness = {int(i) for i in found}
        return True

    def fix(self, x: int, member: bool) -> None:
        if not member:  # every rejection is a proof, so it can dominate later candidates
            self.proven_out.append(x)
        self.state.fix(x, member)
        self._fixed_in_model.append((x, 1 if member else 0))


def release_model(space: DrawSpace) -> None:
    """Forget the fixings of a previous search (a fresh model is built on next use)."""
    space.ctx = None


def initial_witness(space: DrawSpace, fixed: Sequence[int], workers: int) -> np.ndarray | None:
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
    witness = initial_witness(space, fixed, workers)
    stats["solver_calls"] = 1
    if witness is None:
        return None, space, stats
    oracle = PanelOracle(space, witness, fixed, workers)
    order = [feat.pos[eid] for eid in seeded_order(seed, pkg.instance_sha256, feat.ids)]
    chosen = lex_first(order, feat.n, oracle, fixed=fixed)
    stats["solver_calls"] += oracle.solver_calls
    release_model(space)
    return sorted(feat.ids[i] for i in chosen), space, stats
