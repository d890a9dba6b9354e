"""CP-SAT model of the rules over a feature table (the only module tree that uses ortools)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import ortools
from ortools.sat.python import cp_model

from solver.errors import SolverFailure
from solver.features import Features
from solver.registry import ALL
from solver.rules.base import Rule

ENGINE = "ortools-cp-sat"


def solver_info(started: float, **extra: Any) -> dict[str, Any]:
    """The `solver` field of a result: engine, version and seconds since `started`."""
    info: dict[str, Any] = {
        "engine": ENGINE,
        "version": getattr(ortools, "__version__", "unknown"),
        "seconds": round(time.perf_counter() - started, 3),
    }
    info.update(extra)
    return info


class ModelContext:
    """A CP-SAT model with one Boolean per candidate, and helpers the rules write with."""

    def __init__(self, feat: Features) -> None:
        self.feat = feat
        self.n = feat.n
        self.model = cp_model.CpModel()
        self.x = [self.model.new_bool_var(f"x{i}") for i in range(feat.m)]
        self._spec_totals: dict[str, Any] = {}

    def total(self, mask: np.ndarray) -> Any:
        return cp_model.LinearExpr.sum([self.x[int(i)] for i in np.flatnonzero(mask)])

    def total_all(self) -> Any:
        return cp_model.LinearExpr.sum(self.x)

    def spec_total(self, spec: str) -> Any:
        """An integer variable equal to the number of members listing `spec` (a definition)."""
        var = self._spec_totals.get(spec)
        if var is None:
            mask = self.feat.spec_mask(spec)
            var = self.model.new_int_var(0, int(mask.sum()), f"spec:{spec}")
            self.model.add(var == self.total(mask))
            self._spec_totals[spec] = var
        return var

    # Domain edits on the proto: fix or free one candidate between solves.
    def set_domain(self, i: int, lo: int, hi: int) -> None:
        dom = self.model.proto.variables[self.x[i].index].domain
        dom[0] = lo
        dom[1] = hi


def build_model(
    feat: Features, rules: Sequence[Rule] = ALL, *, guarded: bool = False
) -> tuple[ModelContext, dict[str, Any]]:
    """Add every rule; with `guarded`, each rule's constraints are enforced by one literal."""
    ctx = ModelContext(feat)
    lits: dict[str, Any] = {}
    for rule in rules:
        if not rule.applies(feat.pkg):  # switched off: no constraints and no guard literal
            continue
        constraints = rule.add_to_model(ctx)
        if guarded:
            lit = ctx.model.new_bool_var(f"rule:{rule.id}")
            for ct in constraints:
                ct.only_enforce_if(lit)
            lits[rule.id] = lit
    return ctx, lits


def make_solver(workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = 0
    solver.parameters.log_search_progress = False
    return solver


def solve_feasibility(ctx: ModelContext, workers: int) -> np.ndarray | None:
    """Indices of a compliant selection, or None when proven infeasible (no time limit)."""
    solver = make_solver(workers)
    status = solver.solve(ctx.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.fromiter((solver.value(v) for v in ctx.x), dtype=np.int8, count=len(ctx.x))
        return np.flatnonzero(values)
    if status == cp_model.INFEASIBLE:
        return None
    raise SolverFailure(f"CP-SAT 未能给出结论（状态 {solver.status_name(status)}）")
