"""The count-type rules as one numpy system, for fast compliance and swap checks.

Works over eligible candidates only (eligibility is enforced by pruning), so a 0/1
selection complies when it has n members, lo ≤ A·sel ≤ hi row by row, and no unit is over
the cap. Used for witness repairs, exact infeasibility shortcuts and alternate
compatibility; every decision it makes is a proven fact, never a heuristic guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from solver.features import Features
from solver.registry import ALL
from solver.rules.base import PartitionCap, Row, Rule


def _implied_by_a_cap(row: Row, caps: Sequence[PartitionCap]) -> bool:
    """An upper-bound-only row over members of one unit, with the unit cap no larger than the
    row's bound, can never bind (e.g. 回避 of one unit's experts: at most 5 of a unit sit, and
    up to 8 may recuse). Dropping it keeps the row system exact and far smaller."""
    if row.lo > 0:
        return False
    for cap in caps:
        labels = np.unique(cap.labels[row.mask])
        if len(labels) <= 1 and cap.cap <= row.hi:
            return True
    return False


class RowSystem:
    def __init__(self, feat: Features, rules: Sequence[Rule] = ALL) -> None:
        self.n = feat.n
        self.m = feat.m
        rows: list[Row] = []
        caps: list[PartitionCap] = []
        for rule in rules:
            for item in rule.rows(feat):
                if isinstance(item, PartitionCap):
                    caps.append(item)
                else:
                    rows.append(item)
        rows = [r for r in rows if not _implied_by_a_cap(r, caps)]
        self.keys = [r.key for r in rows]
        if rows:
            self.A = np.ascontiguousarray(np.stack([r.mask for r in rows], axis=1), dtype=np.int16)
        else:
            self.A = np.zeros((self.m, 0), dtype=np.int16)
        self.A_bool = self.A.astype(bool)  # for packing row patterns into bytes
        self.lo = np.array([r.lo for r in rows], dtype=np.int64)
        self.hi = np.array([r.hi for r in rows], dtype=np.int64)
        self.caps = caps

    # -- whole selections -------------------------------------------------------------
    def counts(self, sel: Sequence[int] | np.ndarray) -> np.ndarray:
        idx = np.asarray(sel, dtype=np.int64)
        return (
            self.A[idx].sum(axis=0, dtype=np.int64)
            if len(idx)
            else np.zeros(len(self.lo), np.int64)
        )

    def cap_counts(self, sel: Sequence[int] | np.ndarray) -> list[np.ndarray]:
        idx = np.asarray(sel, dtype=np.int64)
        return [
            np.bincount(c.labels[idx], minlength=int(c.labels.max(initial=0)) + 1)
            for c in self.caps
        ]

    def complies(self, sel: Sequence[int] | np.ndarray) -> bool:
        idx = np.asarray(sel, dtype=np.int64)
        if len(set(idx.tolist())) != self.n or len(idx) != self.n:
            return False
        c = self.counts(idx)
        if np.any(c < self.lo) or np.any(c > self.hi):
            return False
        return all(
            cc.max(initial=0) <= cap.cap
            for cc, cap in zip(self.cap_counts(idx), self.caps, strict=True)
        )

    # -- single swaps -----------------------------------------------------------------
    def swap_ok(self, sel: Sequence[int], outs: Sequence[int], x: int) -> np.ndarray:
        """For each w in outs: does sel − w + x comply? (sel complies, x ∉ sel)."""
        outs_a = np.asarray(outs, dtype=np.int64)
        if len(outs_a) == 0:
            return np.zeros(0, dtype=bool)
        c = self.counts(sel)
        new = c[None, :] - self.A[outs_a] + self.A[x][None, :]
        ok = np.all((new >= self.lo) & (new <= self.hi), axis=1)
        for cc, cap in zip(self.cap_counts(sel), self.caps, strict=True):
            lx = cap.labels[x]
            after = (cc[lx] if lx < len(cc) else 0) + 1 - (cap.labels[outs_a] == lx)
            ok &= after <= cap.cap
        result: np.ndarray = ok
        return result

    def compatibility(self, sel: Sequence[int], xs: Sequence[int]) -> np.ndarray:
        """Matrix [x, j]: sel − sel[j] + x complies (sel complies, xs disjoint from sel)."""
        sel_a = np.asarray(sel, dtype=np.int64)
        xs_a = np.asarray(xs, dtype=np.int64)
        out = np.zeros((len(xs_a), len(sel_a)), dtype=bool)
        if len(xs_a) == 0:
            return out
        c = self.counts(sel_a)
        ax = self.A[xs_a].astype(bool)
        caps = self.cap_counts(sel_a)
        for j, w in enumerate(sel_a):
            cm = c - self.A[w]
            if np.any(cm < self.lo - 1) or np.any(cm > self.hi):
                continue
            need_in = np.flatnonzero(cm == self.lo - 1)
            need_out = np.flatnonzero(cm == self.hi)
            ok = np.ones(len(xs_a), dtype=bool)
            if len(need_in):
                ok &= ax[:, need_in].all(axis=1)
            if len(need_out):
                ok &= ~ax[:, need_out].any(axis=1)
            for cc, cap in zip(caps, self.caps, strict=True):
                lx = cap.labels[xs_a]
                base = np.where(lx < len(cc), cc[np.minimum(lx, len(cc) - 1)], 0)
                ok &= base + 1 - (lx == cap.labels[w]) <= cap.cap
            out[:, j] = ok
        return out


class PartialState:
    """Fixed set F and rejected set R with exact necessary conditions for extending F."""

    def __init__(self, system: RowSystem, fixed: Iterable[int] = ()) -> None:
        self.sys = system
        self.free = np.ones(system.m, dtype=bool)
        self.fixed: list[int] = []
        self.c_fixed = np.zeros(len(system.lo), dtype=np.int64)
        self.c_free = system.A.sum(axis=0, dtype=np.int64)
        self.cap_fixed = [np.zeros(int(c.labels.max(initial=0)) + 1, np.int64) for c in system.caps]
        for i in fixed:
            self.fix(i, True)

    def copy(self) -> PartialState:
        """An independent copy (for a question with extra exclusions)."""
        out = PartialState(self.sys)
        out.free = self.free.copy()
        out.fixed = list(self.fixed)
        out.c_fixed = self.c_fixed.copy()
        out.c_free = self.c_free.copy()
        out.cap_fixed = [cc.copy() for cc in self.cap_fixed]
        return out

    def fix(self, i: int, member: bool) -> None:
        if not self.free[i]:
            return
        self.free[i] = False
        self.c_free -= self.sys.A[i]
        if member:
            self.fixed.append(i)
            self.c_fixed += self.sys.A[i]
            for cc, cap in zip(self.cap_fixed, self.sys.caps, strict=True):
                cc[cap.labels[i]] += 1

    def surely_impossible(self, x: int) -> bool:
        """True only when no compliant panel can contain F ∪ {x} and avoid R (a proof)."""
        s = self.sys
        rem = s.n - len(self.fixed) - 1
        if rem < 0 or int(self.free.sum()) - 1 < rem:
            return True
        ax = s.A[x]
        cf = self.c_fixed + ax
        if np.any(cf > s.hi):
            return True
        avail = self.c_free - ax
        if np.any(cf + np.minimum(avail, rem) < s.lo):
            return True
        return any(
            cc[cap.labels[x]] + 1 > cap.cap for cc, cap in zip(self.cap_fixed, s.caps, strict=True)
        )
