"""Where to recruit: the fewest hypothetical experts that bring the LP bound of the minimax
selection probability (solver/bestodds.py) down to a threshold h.

A kind of recruit is a copy of an eligible expert's rank, unit kind, specialties and birth
date, from a unit of its own and conflicted with nobody; its §6 row memberships come from the
same generic row builder (solver/cert/named.py) on the candidates plus one template per kind,
so every rule counts without rule-specific code here. Kinds with the same row memberships are
one kind. The mixed-integer program: p_e ∈ [0, h] for today's experts, q_k ∈ [0, h·y_k] for
y_k recruits of kind k (integer), every §6 row and Σ = n holding, minimise Σ y_k. The
recruits' own units have no cap row (each comes from a different unit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ortools.linear_solver import pywraplp

from solver.bestodds import row_sets
from solver.cert.named import NamedRows, named_rows
from solver.contract import Expert
from solver.draw import DrawSpace
from solver.errors import SolverFailure
from solver.features import Features

MAX_PER_KIND = 1000


@dataclass(frozen=True)
class Need:
    count: int
    rank: str
    unit_kind: str
    specialties: tuple[str, ...]


def _templates(space: DrawSpace) -> Features:
    feat = space.feat
    extra: list[Expert] = []
    seen: set[object] = set()
    for e in feat.experts:
        key = (e.rank, e.unit_kind, tuple(sorted(e.specialties)), e.birth_date)
        if key in seen:
            continue
        seen.add(key)
        k = len(extra)
        extra.append(replace(e, id=f"\0recruit{k}", unit=f"\0recruit-unit{k}", served=frozenset()))
    return Features(feat.pkg, [*feat.experts, *extra])


def _kinds(rows: NamedRows, m: int) -> list[int]:
    """Template columns (after the m real ones) with distinct row memberships."""
    out, seen = [], set()
    for j in range(m, rows.M.shape[0]):
        sig = rows.M[j].tobytes()
        if sig not in seen:
            seen.add(sig)
            out.append(j)
    return out


def _add_rows(lp: pywraplp.Solver, rows: NamedRows, cols: list[Any], n: int) -> None:
    # The same rows as the LP bound (complements of wide rows, unit caps); a recruit's own
    # unit has one member, so it never gets a cap row unless the cap is 0.
    for members, lo, hi in row_sets(rows, n):
        row = lp.Constraint(lo, hi)
        for i in members.tolist():
            if cols[i] is not None:
                row.SetCoefficient(cols[i], 1.0)


def recruitment(space: DrawSpace, threshold: float) -> list[Need] | None:
    """The fewest recruits per kind so that the LP minimax bound is ≤ threshold ([] when it
    already is); None when no number of such recruits can do it."""
    feat = _templates(space)
    m, n = space.feat.m, feat.n
    rows = named_rows(feat)
    kinds = _kinds(rows, m)
    lp = pywraplp.Solver.CreateSolver("SCIP")
    if lp is None:  # pragma: no cover - SCIP ships with ortools
        raise SolverFailure("整数规划求解器不可用")
    cols: list[Any] = [lp.NumVar(0.0, threshold, f"p{i}") for i in range(m)]
    cols += [None] * (feat.m - m)
    ys = []
    for j in kinds:
        q = lp.NumVar(0.0, lp.infinity(), f"q{j}")
        y = lp.IntVar(0.0, MAX_PER_KIND, f"y{j}")
        lp.Add(q <= threshold * y)
        cols[j] = q
        ys.append((j, y))
    lp.Add(sum(c for c in cols if c is not None) == n)
    _add_rows(lp, rows, cols, n)
    lp.Minimize(sum(y for _, y in ys))
    status = lp.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return None
    if status != pywraplp.Solver.OPTIMAL:
        raise SolverFailure(f"整数规划未能求出最优解（状态 {status}）")
    needs = []
    for j, y in ys:
        count = round(y.solution_value())
        if count:
            e = feat.experts[j]
            needs.append(Need(count, e.rank, e.unit_kind, tuple(sorted(e.specialties))))
    return sorted(needs, key=lambda x: (-x.count, x.rank, x.unit_kind, x.specialties))
