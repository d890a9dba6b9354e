"""Farkas proofs for the rejections of one step (draw-format.md §6).

For the first rejection not yet covered: a one-row proof (a row alone, or beside one of the
panel_size rows), else the duals of an LP relaxation (GLOP) over classes of interchangeable
candidates, turned into exact fractions; each proof is confirmed with exact integers and
then tried on every later rejection at once (prefix sums along the seeded order), so one
proof serves many. When the relaxation does not rule a rejection out, the proof splits on a
free candidate that the LP left fractional and recurses (bounded depth).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from solver.cert.named import NamedRows

Term = tuple[tuple[str, int], Fraction]  # (("dense", j) | ("unit", u), multiplier)
MAX_DEPTH = 16


@dataclass
class StepData:
    rows: NamedRows
    order: np.ndarray  # candidate indices in seeded order
    fixed: np.ndarray  # (m,) bool
    taken: np.ndarray  # (m,) bool: members the step took (not fixed)
    classes: np.ndarray  # (m,) class id: identical rows and unit

    @property
    def m(self) -> int:
        return len(self.fixed)


def make_classes(rows: NamedRows) -> np.ndarray:
    packed = np.packbits(rows.M, axis=1)
    key = np.concatenate([packed, rows.unit_code.astype(">i8").view(np.uint8).reshape(-1, 8)], 1)
    _, inv = np.unique(key, axis=0, return_inverse=True)
    return np.asarray(inv).reshape(-1)


def leaf_vector(rows: NamedRows, terms: list[Term]) -> tuple[np.ndarray, int]:
    """Integer c (scaled by the common denominator) and B of a Farkas leaf."""
    den = lcm(*(y.denominator for _, y in terms))
    ints = [(t, int(y * den)) for t, y in terms]
    big = sum(abs(w) for _, w in ints) > 2**40
    c = np.zeros(rows.M.shape[0], dtype=object if big else np.int64)
    B = 0
    for (kind, j), w in ints:
        if kind == "dense":
            c = c + w * int(rows.sign[j]) * rows.M[:, j].astype(np.int64)
            B += w * int(rows.b[j])
        else:
            c = c - w * (rows.unit_code == j).astype(np.int64)
            B -= w * int(rows.cap or 0)
    return c, B


def holds_all(step: StepData, c: np.ndarray, B: int, positions: np.ndarray) -> np.ndarray:
    """For each order position p: does the leaf prove the rejection at p?"""
    co = c[step.order]
    fixed_o = step.fixed[step.order]
    taken_o = step.taken[step.order]
    fixed_sum = c[step.fixed].sum()
    zero = co * 0
    before = np.concatenate([zero[:1], np.cumsum(np.where(taken_o, co, zero))])
    free_part = np.where(fixed_o, zero, np.maximum(co, zero))
    after = np.concatenate([np.cumsum(free_part[::-1])[::-1], zero[:1]])
    value = fixed_sum + before[positions] + co[positions] + after[positions + 1]
    out: np.ndarray = value < B
    return out


def masks_at(step: StepData, p: int) -> tuple[np.ndarray, np.ndarray]:
    """IN and FREE of the rejection at order position p."""
    r = int(step.order[p])
    inn = step.fixed.copy()
    inn[step.order[:p][step.taken[step.order[:p]]]] = True
    inn[r] = True
    free = np.zeros(step.m, bool)
    free[step.order[p + 1 :]] = True
    free &= ~step.fixed
    return inn, free


def holds_one(rows: NamedRows, terms: list[Term], inn: np.ndarray, free: np.ndarray) -> bool:
    c, B = leaf_vector(rows, terms)
    total = c[inn].sum() + np.maximum(c[free], 0).sum()
    return bool(total < B)


def simple_proof(step: StepData, inn: np.ndarray, free: np.ndarray) -> list[Term] | None:
    """A row alone, or a row beside panel_size max/min (the seats-left bounds)."""
    rows = step.rows
    n_in, n_free = int(inn.sum()), int(free.sum())
    if rows.cap is not None:
        per_unit = np.bincount(rows.unit_code[inn], minlength=len(rows.unit_names))
        hit = np.flatnonzero(per_unit > rows.cap)
        if len(hit):
            return [(("unit", int(hit[0])), Fraction(1))]
    in_a = rows.M[inn].sum(axis=0).astype(np.int64) * rows.sign
    cnt = rows.M[free].sum(axis=0).astype(np.int64)  # FREE in each row (no BLAS: slow here)
    alone = in_a + np.where(rows.sign > 0, cnt, 0) < rows.b
    with_max = in_a - n_in < rows.b + rows.b[0]  # Σ_FREE max(a − 1, 0) = 0
    with_min = in_a + n_in + rows.sign * cnt + n_free < rows.b + rows.b[1]
    hits = np.flatnonzero(alone)
    if len(hits):
        return [(("dense", int(hits[0])), Fraction(1))]
    both = np.flatnonzero((with_max | with_min)[2:]) + 2
    if len(both):
        j = int(both[0])
        panel_row = 0 if with_max[j] else 1
        return [(("dense", j), Fraction(1)), (("dense", panel_row), Fraction(1))]
    return None


class _LP:
    """The relaxation of one rejection over classes of FREE candidates: IN fixed at 1, a
    class of c FREE candidates a variable in [0, c], one slack per row; min Σ slack. Rows
    enter lazily (those the current solution breaks), so the LP stays small; an optimum
    above 0 on some rows already proves the rejection with their duals."""

    def __init__(self, step: StepData, inn: np.ndarray, free: np.ndarray) -> None:
        from ortools.linear_solver import pywraplp

        self.pywraplp = pywraplp
        rows = self.rows = step.rows
        solver = pywraplp.Solver.CreateSolver("GLOP")
        assert solver is not None
        self.solver = solver
        free_idx = np.flatnonzero(free)
        present, where, counts = np.unique(
            step.classes[free_idx], return_index=True, return_counts=True
        )
        del present
        self.reps = free_idx[where]
        self.counts = counts
        self.xs = [solver.NumVar(0.0, float(c), "") for c in counts]
        # T = Σ x: a row over most classes is written as T minus the few it leaves out, so
        # the LP stays sparse (an equivalent LP: its row duals are the rows' multipliers).
        self.total = solver.NumVar(0.0, solver.infinity(), "T")
        define = solver.Constraint(0.0, 0.0)
        define.SetCoefficient(self.total, 1.0)
        for v in self.xs:
            define.SetCoefficient(v, -1.0)
        self.in_a = rows.M[inn].sum(axis=0).astype(np.int64) * rows.sign
        self.cls_m = rows.M[self.reps]
        self.cls_mf = self.cls_m.astype(np.float64)
        self.in_u = np.bincount(rows.unit_code[inn], minlength=len(rows.unit_names))
        self.cls_u = rows.unit_code[self.reps]
        self.obj = solver.Objective()
        self.obj.SetMinimization()
        self.cons: dict[tuple[str, int], Any] = {}

    def add(self, key: tuple[str, int]) -> None:
        kind, j = key
        if kind == "dense":
            lower = float(self.rows.b[j] - self.in_a[j])
            members = np.flatnonzero(self.cls_m[:, j])
            sign = float(self.rows.sign[j])
        else:
            lower = float(self.in_u[j] - (self.rows.cap or 0))
            members = np.flatnonzero(self.cls_u == j)
            sign = -1.0
        solver = self.solver
        s = solver.NumVar(0.0, solver.infinity(), "")
        self.obj.SetCoefficient(s, 1.0)
        ct = solver.Constraint(lower, solver.infinity())
        ct.SetCoefficient(s, 1.0)
        if 2 * len(members) > len(self.xs):
            ct.SetCoefficient(self.total, sign)
            inside = np.zeros(len(self.xs), bool)
            inside[members] = True
            for k in np.flatnonzero(~inside):
                ct.SetCoefficient(self.xs[int(k)], -sign)
        else:
            for k in members:
                ct.SetCoefficient(self.xs[int(k)], sign)
        self.cons[key] = ct

    def broken(self, x: np.ndarray) -> list[tuple[str, int]]:
        """Rows the class values x break (not yet in the LP)."""
        rows = self.rows
        dense = self.in_a + (self.cls_mf * x[:, None]).sum(axis=0) * rows.sign
        out = [("dense", int(j)) for j in np.flatnonzero(dense < rows.b - 1e-7)]
        if rows.cap is not None:
            per = self.in_u + np.bincount(self.cls_u, weights=x, minlength=len(self.in_u))
            out += [("unit", int(u)) for u in np.flatnonzero(per > rows.cap + 1e-7)]
        return [k for k in out if k not in self.cons]

    def solve(self) -> tuple[float, list[tuple[str, int]], list[float], dict[int, float]] | None:
        for key in (("dense", 0), ("dense", 1)):
            self.add(key)
        x = np.zeros(len(self.xs))
        for _ in range(200):
            if self.solver.Solve() != self.pywraplp.Solver.OPTIMAL:
                return None
            x = np.array([v.solution_value() for v in self.xs])
            if self.obj.Value() > 1e-7:
                break
            more = self.broken(x)
            if not more:
                break
            for key in more:
                self.add(key)
        keys = list(self.cons)
        duals = [max(self.cons[k].dual_value(), 0.0) for k in keys]
        values = {int(r): float(v / c) for r, v, c in zip(self.reps, x, self.counts, strict=True)}
        return self.obj.Value(), keys, duals, values


def lp_proof(
    step: StepData, inn: np.ndarray, free: np.ndarray
) -> tuple[list[Term] | None, dict[int, float]]:
    got = _LP(step, inn, free).solve()
    if got is None:
        return None, {}
    opt, keys, duals, values = got
    if opt < 1e-7:
        return None, values
    for limit in (1, 12, 720, 10**6):
        terms = []
        for key, d in zip(keys, duals, strict=True):
            if d > 1e-9:
                y = Fraction(d).limit_denominator(limit)
                if y > 0:
                    terms.append((key, y))
        if terms and holds_one(step.rows, terms, inn, free):
            return terms, values
    return None, values


def prove(step: StepData, inn: np.ndarray, free: np.ndarray, depth: int = 0) -> Any:
    """A proof tree ("leaf", terms) | ("split", i, out, in) that IN cannot be completed."""
    terms = simple_proof(step, inn, free)
    if terms is not None and holds_one(step.rows, terms, inn, free):  # exact integers
        return ("leaf", terms)
    terms, values = lp_proof(step, inn, free)
    if terms is not None:
        return ("leaf", terms)
    if depth >= MAX_DEPTH:
        raise RuntimeError("抽取证明：分情形过深，未能证明")
    frac = [i for i, v in values.items() if 1e-6 < v < 1 - 1e-6 and free[i]]
    cand = frac[0] if frac else int(np.flatnonzero(free)[0])
    out_free = free.copy()
    out_free[cand] = False
    in_in = inn.copy()
    in_in[cand] = True
    return (
        "split",
        cand,
        prove(step, inn, out_free, depth + 1),
        prove(step, in_in, out_free, depth + 1),
    )
