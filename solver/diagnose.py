"""Why no compliant panel exists: cheap supply counts first, then a minimal assumption core."""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from solver.contract import Expert, Package
from solver.errors import SolverFailure
from solver.features import Features
from solver.model import build_model, make_solver
from solver.registry import ALL, BY_ID, eligible, supply_counts
from solver.rules.base import Violation

__all__ = ["diagnose", "minimal_core", "supply_counts"]


def _core_solve(model: cp_model.CpModel, lits: list[Any]) -> tuple[bool, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = make_solver(1)  # assumption cores need a single worker
    # Guarded constraints enter the LP relaxation only at level 2; without it, proving a
    # count conflict (e.g. 企业 15 + 高校 15 > 25 seats) is a blind search.
    solver.parameters.linearization_level = 2
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return True, list(solver.sufficient_assumptions_for_infeasibility())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False, []
    raise SolverFailure(f"CP-SAT 未能给出结论（状态 {solver.status_name(status)}）")


def minimal_core(pkg: Package) -> list[str]:
    """A minimal set of rule ids that cannot hold together (deletion-shrunk assumption core)."""
    cands = [e for e in pkg.experts if e.available]
    feat = Features(pkg, cands)
    ctx, lits = build_model(feat, guarded=True)
    by_index = {lit.index: rid for rid, lit in lits.items()}
    infeasible, core_idx = _core_solve(ctx.model, list(lits.values()))
    if not infeasible:
        return []
    core = [rid for rid in lits if any(by_index.get(i) == rid for i in core_idx)] or list(lits)
    for rid in list(core):
        if rid not in core:
            continue
        trial = [c for c in core if c != rid]
        still, sub = _core_solve(ctx.model, [lits[c] for c in trial])
        if still:
            named = {by_index[i] for i in sub if i in by_index}
            core = [c for c in trial if c in named] or trial
    return core


def _core_entry(pkg: Package, rid: str, core: list[str], elig: list[Expert]) -> dict[str, Any]:
    rule = BY_ID[rid]
    others = "、".join(BY_ID[c].title_zh for c in core if c != rid)
    tail = f"，与“{others}”不能同时满足" if others else "，无法满足"
    want, have = rule.core_numbers(pkg, elig)
    return Violation(rid, f"{rule.describe(pkg)}{tail}", want, have).as_dict()


def diagnose(pkg: Package) -> list[dict[str, Any]]:
    """Diagnosis entries for an infeasible package (never empty)."""
    entries = supply_counts(pkg)
    if entries:
        return entries
    core = minimal_core(pkg)
    if not core:  # pragma: no cover - the draw proved infeasibility with the same rules
        return [Violation("panel_size", "未能定位冲突规则，请检查抽取包").as_dict()]
    order = [rule.id for rule in ALL]
    core.sort(key=order.index)
    elig = eligible(pkg)
    return [_core_entry(pkg, rid, core, elig) for rid in core]
