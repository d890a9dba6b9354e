"""Numpy feature table over a list of candidate experts (used by the model and repairs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.package import RANK_LEVEL, Expert, Package


def eligible_mask(pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
    """Vectorised eligibility (available, rank, rotation) — the model's pruning."""
    return available_rank_ok(pkg, experts) & ~barred_mask(pkg, experts)


def available_rank_ok(pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
    level = np.array([RANK_LEVEL[e.rank] for e in experts], dtype=np.int8)
    avail = np.array([e.available for e in experts], dtype=bool)
    return avail & (level >= RANK_LEVEL[pkg.rules.min_rank])


def barred_mask(pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
    k = pkg.rules.max_consecutive_years
    if k is None:
        return np.zeros(len(experts), dtype=bool)
    window = set(range(pkg.meeting.year - k, pkg.meeting.year))
    return np.array([window <= e.served for e in experts], dtype=bool)


class Features:
    """Per-candidate arrays plus the applicant conflict structure, in candidate order."""

    def __init__(self, pkg: Package, candidates: Sequence[Expert]) -> None:
        self.pkg = pkg
        self.n = pkg.rules.panel_size
        self.experts: tuple[Expert, ...] = tuple(candidates)
        self.m = len(self.experts)
        self.ids = [e.id for e in self.experts]
        self.pos = {eid: i for i, eid in enumerate(self.ids)}
        level = np.array([RANK_LEVEL[e.rank] for e in self.experts], dtype=np.int8)
        self.full_senior = level == RANK_LEVEL["正高级"]
        self.rank_ok = level >= RANK_LEVEL[pkg.rules.min_rank]
        self.barred = barred_mask(pkg, self.experts)
        units = [e.unit for e in self.experts]
        self.unit_names, codes = np.unique(np.array(units, dtype=object), return_inverse=True)
        self.unit_names = list(self.unit_names) if self.m else []
        self.unit_code = codes.astype(np.int64) if self.m else np.zeros(0, dtype=np.int64)
        self._kind = np.array([e.unit_kind for e in self.experts], dtype=object)
        self._spec_cache: dict[str, np.ndarray] = {}
        self._build_conflicts()

    def kind_mask(self, kind: str) -> np.ndarray:
        if self.m == 0:
            return np.zeros(0, dtype=bool)
        return self._kind == kind

    def spec_mask(self, spec: str) -> np.ndarray:
        mask = self._spec_cache.get(spec)
        if mask is None:
            mask = np.array([spec in e.specialties for e in self.experts], dtype=bool)
            self._spec_cache[spec] = mask
        return mask

    def _build_conflicts(self) -> None:
        pkg = self.pkg
        by_unit: dict[str, list[int]] = {}
        if pkg.rules.recuse_same_unit:
            for i, e in enumerate(self.experts):
                by_unit.setdefault(e.unit, []).append(i)
        declared: dict[str, set[int]] = {}
        for c in pkg.conflicts:
            i = self.pos.get(c.expert)
            if i is not None:
                declared.setdefault(c.applicant, set()).add(i)
        self.conflicted: dict[str, tuple[int, ...]] = {}
        voter: dict[tuple[int, ...], list[str]] = {}
        specialist: dict[tuple[str, tuple[int, ...]], list[str]] = {}
        for app in pkg.applicants:
            idx = set(by_unit.get(app.unit, ())) | declared.get(app.id, set())
            key = tuple(sorted(idx))
            self.conflicted[app.id] = key
            voter.setdefault(key, []).append(app.id)
            specialist.setdefault((app.specialty, key), []).append(app.id)
        self.voter_groups = [(k, v) for k, v in voter.items() if k]
        self.specialist_groups = [(s, k, v) for (s, k), v in specialist.items()]
