"""Exact feasibility questions on a reduced model: groups of interchangeable free candidates.

"Can F ∪ {x} be completed to a compliant panel avoiding R?" depends only on how many free
candidates carry each pattern of the rows still in play — rows F has not yet met (lower
bounds) or could still overflow with the seats left (upper bounds), and units that could
still reach the cap. Candidates with one pattern are interchangeable, so a small integer
model over the patterns answers the question exactly and far faster than the 0/1 model over
the whole pool. The patterns are computed once per F (they change only when F grows), and
an impossible answer is remembered for its pattern until then.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from solver.errors import SolverFailure
from solver.model import make_solver
from solver.rowsystem import PartialState, RowSystem
from solver.sample import sample_candidates

# Above this many candidate patterns, samples and the unit-free relaxation are tried first.
LARGE_MODEL = 1000


def group_bytes(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of one row of each distinct row, group of every row) for a uint8 matrix: each
    row's bytes are one key, sorted exactly."""
    m, width = raw.shape
    if width == 0:
        return np.zeros(min(m, 1), dtype=np.int64), np.zeros(m, dtype=np.int64)
    raw = np.ascontiguousarray(raw)
    keys = raw.view(np.dtype((np.void, width))).reshape(-1)
    _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
    return first, inv.reshape(-1)


def group_rows(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same for an integer matrix (compared as little-endian int64 bytes)."""
    m = mat.shape[0]
    return group_bytes(np.ascontiguousarray(mat.astype("<i8")).view(np.uint8).reshape(m, -1))


class _Patterns:
    """Each candidate's pattern over the rows in play for one F, as a group id."""

    def __init__(self, sys: RowSystem, st: PartialState) -> None:
        self.rem = sys.n - len(st.fixed) - 1  # seats left after the candidate asked about
        c = st.c_fixed
        self.rel_lower = np.flatnonzero(c < sys.lo)
        self.rel_upper = np.flatnonzero(c + 1 + self.rem > sys.hi)
        self.rows = np.concatenate([self.rel_lower, self.rel_upper])
        m = sys.m
        labels = []
        for cc, cap in zip(st.cap_fixed, sys.caps, strict=True):
            # Units that other candidates alone could push past the cap; a unit that only x
            # itself would push over is split off when x is asked about (see _solve).
            near = cc + self.rem > cap.cap
            lab = cap.labels.astype(np.int64)
            labels.append(np.where(near[lab], lab, -1))
        self.labels = np.stack(labels, axis=1) if labels else np.zeros((m, 0), np.int64)
        bits = (
            np.packbits(sys.A_bool[:, self.rows], axis=1)
            if len(self.rows)
            else np.zeros((m, 0), np.uint8)
        )
        as_bytes = self.labels.astype("<i8").view(np.uint8).reshape(m, -1)
        first, inv = group_bytes(np.concatenate([bits, as_bytes], axis=1))
        self.near_plus = [
            cc + 1 + self.rem > cap.cap for cc, cap in zip(st.cap_fixed, sys.caps, strict=True)
        ]
        self.group = inv
        self.rep = first  # a candidate of each group
        self.n_groups = len(first)
        self.impossible: set[tuple[int, ...]] = set()


def _strongest(
    cols: np.ndarray, bounds: np.ndarray, pick: Callable[[int, int], int]
) -> list[tuple[list[int], int]]:
    """Distinct column patterns (as group index lists) with the strongest bound of each."""
    if cols.shape[1] == 0:
        return []
    first, inv = group_bytes(np.packbits(cols.T.astype(bool), axis=1))
    best: dict[int, int] = {}
    for j, key in enumerate(inv.tolist()):
        b = int(bounds[j])
        best[key] = pick(best[key], b) if key in best else b
    out = []
    for key, b in best.items():
        members = np.flatnonzero(cols[:, first[key]]).tolist()
        if members:
            out.append((members, b))
    return out


class ReducedOracle:
    def __init__(
        self, system: RowSystem, state: PartialState, workers: int, order: list[int] | None = None
    ) -> None:
        self.sys = system
        self.state = state
        self.workers = workers
        self.order = order
        self.witness: set[int] = set()
        self._pat: _Patterns | None = None
        self._fixed_count = -1
        self._sample: list[np.ndarray] | None = None

    def patterns(self) -> _Patterns:
        if self._pat is None or self._fixed_count != len(self.state.fixed):
            self._pat = _Patterns(self.sys, self.state)
            self._fixed_count = len(self.state.fixed)
            self._sample = None
        return self._pat

    def samples(self) -> list[np.ndarray]:
        """Free candidates worth trying first, small then large: a yes found among them is a
        yes; a no proves nothing. Recomputed when F grows."""
        if self.order is None:
            return []
        if self._sample is None:
            free = self.state.free
            ahead = [i for i in self.order if free[i]]
            small = sample_candidates(self.sys, ahead, self.witness)
            masks: list[np.ndarray] = []
            for keep in (small, small | set(ahead[: max(80 * self.sys.n, 2000)])):
                mask = np.zeros(self.sys.m, dtype=bool)
                mask[sorted(keep)] = True
                if not masks or mask.sum() > masks[-1].sum():
                    masks.append(mask)
            self._sample = masks
        return self._sample

    def _free_counts(self, pat: _Patterns, x: int, allowed: np.ndarray | None = None) -> np.ndarray:
        free = self.state.free.copy()
        free[x] = False
        if allowed is not None:
            free &= allowed
        return np.bincount(pat.group[free], minlength=pat.n_groups)

    def _key(self, pat: _Patterns, x: int) -> tuple[int, ...]:
        """Two candidates with one key get one answer: same pattern, and same unit wherever the
        unit could reach the cap because of the candidate itself."""
        units = tuple(
            int(cap.labels[x]) if near[cap.labels[x]] else -1
            for near, cap in zip(pat.near_plus, self.sys.caps, strict=True)
        )
        return (int(pat.group[x]), *units)

    def known_impossible(self, x: int) -> bool:
        pat = self.patterns()
        return self._key(pat, x) in pat.impossible or self.cover_bound_fails(x)

    def cover_bound_fails(self, x: int) -> bool:
        """The rem best free candidates cannot add up to the rows' total shortfall (a proof:
        each member adds at most one to each row)."""
        s, st, pat = self.sys, self.state, self.patterns()
        short = s.lo[pat.rel_lower] - st.c_fixed[pat.rel_lower] - s.A[x, pat.rel_lower]
        lacking = short > 0
        if not lacking.any():
            return False
        total = int(short[lacking].sum())
        rem = pat.rem
        if rem <= 0:
            return True
        counts = np.minimum(self._free_counts(pat, x), rem)
        gains = s.A[pat.rep][:, pat.rel_lower[lacking]].sum(axis=1, dtype=np.int64)
        order = np.argsort(-gains, kind="stable")
        take = np.minimum(np.cumsum(counts[order]), rem)
        used = np.diff(np.concatenate([[0], take]))
        return int((used * gains[order]).sum()) < total

    def dominated(self, x: int, rejected: list[int]) -> bool:
        """Some rejected r is at least as useful as x on every row still in play, so x is
        impossible too.

        If a compliant P ⊇ F ∪ {x} avoided R, then P − x + r would comply: rows F already
        meets stay met (F ⊆ P − x), rows that cannot overflow with the seats left cannot,
        and r's unit stays under the cap when that unit is not near it. That contradicts
        the proof that rejected r (F only grew since, and R only grew).
        """
        if not rejected:
            return False
        s, pat = self.sys, self.patterns()
        rej = np.asarray(rejected, dtype=np.int64)
        for near, cap in zip(pat.near_plus, s.caps, strict=True):
            lr = cap.labels[rej]
            rej = rej[~near[lr] | (lr == cap.labels[x])]
            if len(rej) == 0:
                return False
        ax = s.A[x]
        ar = s.A[rej]
        ok = np.all(ar[:, pat.rel_lower] >= ax[pat.rel_lower], axis=1)
        ok &= np.all(ar[:, pat.rel_upper] <= ax[pat.rel_upper], axis=1)
        return bool(ok.any())

    def ask(self, x: int) -> list[int] | None:
        """A compliant panel containing F ∪ {x} and avoiding R, or None (a proof)."""
        pat = self.patterns()
        key = self._key(pat, x)
        if key in pat.impossible:
            return None
        found = None
        # Samples pay off only when the exact model is large; a small one is asked directly.
        for allowed in self.samples() if pat.n_groups > LARGE_MODEL else []:
            found = self._solve(x, pat, allowed)
            if found is not None:
                break
        if found is None:
            # With many units in play the exact model is large; its relaxation without the unit
            # caps is small and proves most refusals on its own.
            relaxed = pat.n_groups <= LARGE_MODEL or self._solve(x, pat, units=False) is not None
            found = self._solve(x, pat) if relaxed else None
        if found is None:
            pat.impossible.add(key)
        return found

    def _solve(
        self, x: int, pat: _Patterns, allowed: np.ndarray | None = None, units: bool = True
    ) -> list[int] | None:
        """Exact when `allowed` is None; with it, a panel found is a panel, None proves nothing.
        With `units` False the unit caps are left out: a relaxation, so None is still a proof
        but a panel found may break a cap."""
        s, st = self.sys, self.state
        rem = pat.rem
        c = st.c_fixed + s.A[x]
        base = [*st.fixed, x]
        if rem < 0 or np.any(c > s.hi):
            return None
        unit_rooms = self._unit_rooms(x)
        if unit_rooms is None:
            return None
        if rem == 0:
            return base if np.all(c >= s.lo) else None
        free = st.free.copy()
        free[x] = False
        if allowed is not None:
            free &= allowed
        free_idx = np.flatnonzero(free)
        if len(free_idx) < rem:
            return None
        groups = _Groups(s, pat, x, c, free_idx, unit_rooms if units else [])
        if not groups.lower_bounds_coverable():
            return None
        found = self._solve_groups(groups)
        return None if found is None else base + found

    def _unit_rooms(self, x: int) -> list[np.ndarray] | None:
        """Seats left per unit once x sits (None when x's own unit is already full)."""
        rooms = []
        for cc, cap in zip(self.state.cap_fixed, self.sys.caps, strict=True):
            room = cap.cap - cc
            room[cap.labels[x]] -= 1
            if room[cap.labels[x]] < 0:
                return None
            rooms.append(room)
        return rooms

    def _solve_groups(self, g: _Groups) -> list[int] | None:
        """The small integer model over the groups: how many of each group sit."""
        model = cp_model.CpModel()
        y = [model.new_int_var(0, int(k), f"g{i}") for i, k in enumerate(g.cap_n)]
        total = cp_model.LinearExpr.sum
        model.add(total(y) == g.rem)
        k = len(g.lower)
        # Rows with the same groups are one constraint: the largest need, the smallest room.
        for idx, bound in _strongest(g.sig[:, :k], g.need[g.lower], max):
            model.add(total([y[i] for i in idx]) >= bound)
        for idx, bound in _strongest(g.sig[:, k : k + len(g.upper)], g.room[g.upper], min):
            model.add(total([y[i] for i in idx]) <= bound)
        col = k + len(g.upper)
        for t, rooms in enumerate(g.unit_rooms):
            lab = g.sig[:, col + t]
            for u in np.unique(lab[lab >= 0]):
                model.add(total([y[i] for i in np.flatnonzero(lab == u)]) <= int(rooms[u]))
        solver = make_solver(self.workers)
        # Covering models need the full LP relaxation (level 2): without it one proof of
        # infeasibility took 65 s instead of 0.4 s. Presolve costs more than it saves on small
        # models (50–600 ms → under 10 ms). Parameters never change an answer, only its speed.
        solver.parameters.linearization_level = 2
        if len(y) <= 2000:
            solver.parameters.cp_model_presolve = False
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return None
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverFailure(f"CP-SAT 未能给出结论（状态 {solver.status_name(status)}）")
        return g.candidates([int(solver.value(v)) for v in y])


class _Groups:
    """The free candidates of one question in coarse groups: the F-patterns, with x's own
    unit split off where x brings it near the cap (those members were not told apart when
    the patterns were made), coarsened to the rows and units this x leaves in play."""

    def __init__(
        self,
        s: RowSystem,
        pat: _Patterns,
        x: int,
        c: np.ndarray,
        free_idx: np.ndarray,
        unit_rooms: list[np.ndarray],
    ) -> None:
        self.rem = rem = pat.rem
        self.free_idx = free_idx
        self.unit_rooms = unit_rooms
        n_groups = pat.n_groups
        flags = np.zeros(len(free_idx), dtype=np.int64)
        split_unit = []
        for t, (rooms, cap) in enumerate(zip(unit_rooms, s.caps, strict=False)):
            ux = int(cap.labels[x])
            if rooms[ux] < rem and not (pat.labels[:, t][x] >= 0):
                flags |= (cap.labels[free_idx] == ux).astype(np.int64) << t
            split_unit.append(ux)
        ext = pat.group[free_idx] + n_groups * flags
        uniq, ext_inv, ext_counts = np.unique(ext, return_inverse=True, return_counts=True)
        self.ext_inv = ext_inv.reshape(-1)
        g_of, f_of = uniq % n_groups, uniq // n_groups
        reps = pat.rep[g_of]
        self.need = s.lo - c
        self.room = s.hi - c
        self.lower = pat.rel_lower[self.need[pat.rel_lower] > 0]
        self.upper = pat.rel_upper[self.room[pat.rel_upper] < rem]
        cols = [
            s.A[reps][:, self.lower].astype(np.int64),
            s.A[reps][:, self.upper].astype(np.int64),
        ]
        for t, rooms in enumerate(unit_rooms):
            lab = np.where((f_of >> t) & 1, split_unit[t], pat.labels[reps, t])
            near = (lab >= 0) & (rooms[np.maximum(lab, 0)] < rem)
            cols.append(np.where(near, lab, -1)[:, None])
        sig = np.concatenate(cols, axis=1)
        first, self.inv = group_rows(sig)
        self.sig = sig[first]
        gcount = np.bincount(self.inv, weights=ext_counts, minlength=len(self.sig)).astype(np.int64)
        self.cap_n = np.minimum(gcount, rem)

    def lower_bounds_coverable(self) -> bool:
        """Each lower-bound row has enough candidates among the groups that serve it."""
        for j, r in enumerate(self.lower):
            if int(self.cap_n[self.sig[:, j] > 0].sum()) < self.need[r]:
                return False
        return True

    def candidates(self, takes: list[int]) -> list[int]:
        """Back to candidates: the first `take` free candidates of each coarse group."""
        coarse = self.inv[self.ext_inv]
        picks: list[int] = []
        for g, take in enumerate(takes):
            if take:
                picks.extend(int(i) for i in self.free_idx[coarse == g][:take])
        return picks
