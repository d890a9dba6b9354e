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


def simple_proof(rows: NamedRows, inn: np.ndarray, free: np.ndarray) -> list[Term] | None:
    """A row alone, or a row beside panel_size max/min (the seats-left bounds)."""
    n_in = int(inn.sum())
    if rows.cap is not None:
        per_unit = np.bincount(rows.unit_code[inn], minlength=len(rows.unit_names))
        hit = np.flatnonzero(per_unit > rows.cap)
        if len(hit):
            return [(("unit", int(hit[0])), Fraction(1))]
    a = rows.M.astype(np.int64) * rows.sign[None, :]
    in_a = a[inn].sum(axis=0)
    free_a = a[free]
    alone = in_a + np.maximum(free_a, 0).sum(axis=0) < rows.b
    with_max = in_a - n_in + np.maximum(free_a - 1, 0).sum(axis=0) < rows.b + rows.b[0]
    with_min = in_a + n_in + (free_a + 1).sum(axis=0) < rows.b + rows.b[1]
    for j in range(rows.n_dense):
        if alone[j]:
            return [(("dense", j), Fraction(1))]
    for j in range(2, rows.n_dense):
        if with_max[j]:
            return [(("dense", j), Fraction(1)), (("dense", 0), Fraction(1))]
        if with_min[j]:
            return [(("dense", j), Fraction(1)), (("dense", 1), Fraction(1))]
    return None


def _lp(
    step: StepData, inn: np.ndarray, free: np.ndarray
) -> tuple[float, list[float], dict[int, float]] | None:
    """min Σ slack over the rows with IN fixed at 1 and FREE in [0, 1], by classes; returns
    (optimum, row duals, class values)."""
    from ortools.linear_solver import pywraplp

    rows = step.rows
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover
        return None
    cls = step.classes[free]
    counts = np.bincount(cls)
    present = np.flatnonzero(counts)
    rep: dict[int, int] = {}
    for i in np.flatnonzero(free):
        rep.setdefault(int(step.classes[i]), int(i))
    xs = {int(k): solver.NumVar(0.0, float(counts[k]), f"x{k}") for k in present}
    a = rows.M.astype(np.int64) * rows.sign[None, :]
    in_a = a[inn].sum(axis=0)
    cons = []
    obj = solver.Objective()
    for j in range(rows.n_dense):
        s = solver.NumVar(0.0, solver.infinity(), f"s{j}")
        obj.SetCoefficient(s, 1.0)
        ct = solver.Constraint(float(rows.b[j] - in_a[j]), solver.infinity())
        ct.SetCoefficient(s, 1.0)
        for k, v in xs.items():
            coef = a[rep[k], j]
            if coef:
                ct.SetCoefficient(v, float(coef))
        cons.append((("dense", j), ct))
    if rows.cap is not None:
        in_u = np.bincount(rows.unit_code[inn], minlength=len(rows.unit_names))
        by_unit: dict[int, list[int]] = {}
        for k in xs:
            by_unit.setdefault(int(rows.unit_code[rep[k]]), []).append(k)
        for u in sorted(set(by_unit) | set(np.flatnonzero(in_u).tolist())):
            s = solver.NumVar(0.0, solver.infinity(), f"u{u}")
            obj.SetCoefficient(s, 1.0)
            ct = solver.Constraint(float(in_u[u] - rows.cap), solver.infinity())
            ct.SetCoefficient(s, 1.0)
            for k in by_unit.get(u, []):
                ct.SetCoefficient(xs[k], -1.0)
            cons.append((("unit", u), ct))
    obj.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    duals = [max(ct.dual_value(), 0.0) for _, ct in cons]
    values = {rep[k]: v.solution_value() / max(counts[k], 1) for k, v in xs.items()}
    step._cons_keys = [key for key, _ in cons]  # type: ignore[attr-defined]
    return obj.Value(), duals, values


def lp_proof(
    step: StepData, inn: np.ndarray, free: np.ndarray
) -> tuple[list[Term] | None, dict[int, float]]:
    got = _lp(step, inn, free)
    if got is None:
        return None, {}
    opt, duals, values = got
    if opt < 1e-7:
        return None, values
    keys = step._cons_keys  # type: ignore[attr-defined]
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
    terms = simple_proof(step.rows, inn, free)
    if terms is not None:
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
