"""Numpy feature table over a list of candidate experts (used by the model and repairs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.contract import RANK_LEVEL, Expert, Package
from solver.registry import eligible_mask

__all__ = ["Features", "eligible_mask"]


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
        self.full_senior: np.ndarray = level == RANK_LEVEL["正高级"]
        self.rank_ok: np.ndarray = level >= RANK_LEVEL[pkg.rules.min_rank]
        units = [e.unit for e in self.experts]
        names, codes = np.unique(np.array(units, dtype=object), return_inverse=True)
        self.unit_names: list[str] = list(names) if self.m else []
        self.unit_code: np.ndarray = (
            codes.astype(np.int64) if self.m else np.zeros(0, dtype=np.int64)
        )
        self._kind = np.array([e.unit_kind for e in self.experts], dtype=object)
        self._spec_cache: dict[str, np.ndarray] = {}
        self._build_conflicts()

    def kind_mask(self, kind: str) -> np.ndarray:
        if self.m == 0:
            return np.zeros(0, dtype=bool)
        mask: np.ndarray = self._kind == kind
        return mask

    def spec_mask(self, spec: str) -> np.ndarray:
        mask = self._spec_cache.get(spec)
        if mask is None:
            mask = np.array([spec in e.specialties for e in self.experts], dtype=bool)
            self._spec_cache[spec] = mask
        return mask

    def _build_conflicts(self) -> None:
        """Candidates conflicted with each applicant (the contract's `conflicted`, vectorised),
        grouped by conflicted set for the voter rows and by (specialty, set) for the
        specialist rows."""
        pkg = self.pkg
        by_unit: dict[str, list[int]] = {}
        if pkg.rules.recuse_same_unit:
            for i, e in enumerate(self.experts):
                by_unit.setdefault(e.unit, []).append(i)
        declared: dict[str, set[int]] = {}
        for c in pkg.conflicts:
            pos = self.pos.get(c.expert)
            if pos is not None:
                declared.setdefault(c.applicant, set()).add(pos)
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
