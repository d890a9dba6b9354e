"""The best any draw could do: how low the largest selection probability can go.

A lottery over compliant panels gives each eligible expert e a selection probability p_e with
Σ p_e = n, and p (an average of 0/1 panel vectors) satisfies every §6 row. So the linear
program  min t  s.t.  Σ p_e = n, every §6 row holds for p, 0 ≤ p_e ≤ t  is a LOWER bound of
the smallest achievable maximum (minimax); with  max s, p_e ≥ s  it is an UPPER bound of the
largest achievable minimum (maximin, LEXIMIN's first level). The rows come from the §6 row
builder (solver/cert/named.py), so every rule the certificate knows is here too.

The exact minimax / maximin over lotteries of compliant panels is `exact_lottery`: column
generation, the master LP over the panels found so far, the pricing step a best compliant
panel for the master's dual weights (CP-SAT on the real model of every rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from solver.cert.named import NamedRows, named_rows
from solver.draw import DrawSpace
from solver.errors import SolverFailure
from solver.model import build_model, make_solver

TOL = 1e-7
SCALE = 10**6  # pricing weights are integers: dual weight × SCALE, rounded


@dataclass(frozen=True)
class Bound:
    value: float
    p: np.ndarray  # a fractional selection vector attaining it (candidate order)


def _glop() -> pywraplp.Solver:
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with ortools
        raise SolverFailure("线性规划求解器不可用")
    return solver


def row_sets(rows: NamedRows, n: int) -> list[tuple[np.ndarray, float, float]]:
    """Every §6 row as (columns, lo, hi) over Σ p. Given Σ p = n, a row over more than half
    of the candidates is written over its complement (same set of p, far fewer nonzeros)."""
    m = rows.M.shape[0]
    out: list[tuple[np.ndarray, float, float]] = []
    for r in range(rows.n_dense):
        mask = rows.M[:, r]
        b, sign = float(rows.b[r]), int(rows.sign[r])
        lo, hi = (b, float(n)) if sign > 0 else (0.0, -b)
        if mask.all():
            continue  # the panel_size rows: Σ p = n already
        if int(mask.sum()) * 2 > m:
            out.append((np.flatnonzero(~mask), n - hi, n - lo))
        else:
            out.append((np.flatnonzero(mask), lo, hi))
    if rows.cap is not None:
        for u in range(len(rows.unit_names)):
            cols = np.flatnonzero(rows.unit_code == u)
            if len(cols) > rows.cap:
                out.append((cols, 0.0, float(rows.cap)))
    return out


def fractional_bound(space: DrawSpace, *, maximin: bool = False) -> Bound | None:
    """min max_e p_e (or, with `maximin`, max min_e p_e) over fractional p; None if the LP is
    infeasible (then no compliant panel exists either)."""
    feat = space.feat
    m, n = feat.m, feat.n
    if m < n:
        return None
    rows = named_rows(feat)
    lp = _glop()
    t = lp.NumVar(0.0, 1.0, "t")
    p = [lp.NumVar(0.0, 1.0, f"p{i}") for i in range(m)]
    total = lp.Constraint(float(n), float(n))
    for i in range(m):
        total.SetCoefficient(p[i], 1.0)
        # p_i − t ≤ 0 (minimax) or ≥ 0 (maximin)
        bound = lp.Constraint(0.0, lp.infinity()) if maximin else lp.Constraint(-lp.infinity(), 0)
        bound.SetCoefficient(p[i], 1.0)
        bound.SetCoefficient(t, -1.0)
    for cols, lo, hi in row_sets(rows, n):
        row = lp.Constraint(lo, hi)
        for i in cols.tolist():
            row.SetCoefficient(p[i], 1.0)
    objective = lp.Objective()
    objective.SetCoefficient(t, 1.0)
    objective.SetMaximization() if maximin else objective.SetMinimization()
    status = lp.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return None
    if status != pywraplp.Solver.OPTIMAL:
        raise SolverFailure(f"线性规划未能求出最优解（状态 {status}）")
    return Bound(t.solution_value(), np.array([v.solution_value() for v in p]))


@dataclass(frozen=True)
class Lottery:
    value: float  # the exact minimax (or maximin) up to TOL
    panels: list[list[int]]  # candidate indices of the panels with positive weight
    weights: list[float]
    iterations: int


def best_panel(space: DrawSpace, weights: Sequence[float], workers: int = 1) -> list[int] | None:
    """A compliant panel of largest Σ weights (weights rounded to multiples of 1/SCALE)."""
    ctx, _ = build_model(space.feat)
    coef = [round(w * SCALE) for w in weights]
    ctx.model.maximize(sum(c * x for c, x in zip(coef, ctx.x, strict=True) if c))
    solver = make_solver(workers)
    status = solver.solve(ctx.model)
    if status == cp_model.INFEASIBLE:
        return None
    if status != cp_model.OPTIMAL:
        raise SolverFailure(f"CP-SAT 未能求出最优名单（状态 {solver.status_name(status)}）")
    return [i for i, x in enumerate(ctx.x) if solver.value(x)]


def _master(
    m: int, panels: list[list[int]], maximin: bool
) -> tuple[float, list[float], list[float]]:
    """(value, panel weights, expert dual weights) of the restricted master LP."""
    lp = _glop()
    t = lp.NumVar(0.0, 1.0, "t")
    lam = [lp.NumVar(0.0, 1.0, f"l{j}") for j in range(len(panels))]
    conv = lp.Constraint(1.0, 1.0)
    for v in lam:
        conv.SetCoefficient(v, 1.0)
    per = []
    for _ in range(m):
        c = lp.Constraint(0.0, lp.infinity()) if maximin else lp.Constraint(-lp.infinity(), 0.0)
        c.SetCoefficient(t, -1.0)
        per.append(c)
    for j, panel in enumerate(panels):
        for i in panel:
            per[i].SetCoefficient(lam[j], 1.0)
    objective = lp.Objective()
    objective.SetCoefficient(t, 1.0)
    objective.SetMaximization() if maximin else objective.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        raise SolverFailure("列生成主问题未能求出最优解")
    duals = [abs(c.dual_value()) for c in per]
    return t.solution_value(), [v.solution_value() for v in lam], duals


def exact_lottery(
    space: DrawSpace, *, maximin: bool = False, workers: int = 1, max_iterations: int = 500
) -> Lottery | None:
    """The exact minimax (or maximin) selection probability over lotteries of compliant
    panels, by column generation; None when no compliant panel exists. Raises SolverFailure
    when it does not converge within `max_iterations` pricing steps."""
    m = space.feat.m
    first = best_panel(space, [0.0] * m, workers)
    if first is None:
        return None
    panels = [first]
    slack = TOL + space.feat.n / SCALE  # the pricing weights are rounded
    for it in range(1, max_iterations + 1):
        value, lam, w = _master(m, panels, maximin)
        # By LP duality, minimax = max over weights w ≥ 0 (Σ w = 1) of the lightest panel's
        # w(P): a panel lighter than the master's value improves it. Maximin: a panel
        # heavier than the value improves it.
        panel = best_panel(space, w if maximin else [-x for x in w], workers)
        assert panel is not None
        gain = sum(w[i] for i in panel)
        if (gain <= value + slack) if maximin else (gain >= value - slack):
            keep = [j for j, x in enumerate(lam) if x > TOL]
            return Lottery(value, [panels[j] for j in keep], [lam[j] for j in keep], it)
        panels.append(panel)
    raise SolverFailure("列生成未在限定步数内收敛")
