"""What a rule is: id, Chinese sentence, source clause, plain check, CP-SAT formulation.

A rule's `check` works from the contract's definitions on the package alone (plain Python);
`rows` gives the same rule as count constraints over a numpy feature table (used for fast
witness repairs); `add_to_model` writes it into a CP-SAT model. The verifier only calls
`check`, so nothing here imports ortools.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from solver.features import Features
    from solver.package import Applicant, Expert, Package


@dataclass(frozen=True)
class Violation:
    """One way a panel breaks a rule, in Chinese, with the numbers when they apply."""

    rule: str
    message: str
    need: int | None = None
    have: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "message": self.message}
        if self.need is not None:
            out["need"] = self.need
        if self.have is not None:
            out["have"] = self.have
        return out


@dataclass(frozen=True)
class Row:
    """Count constraint lo ≤ |members ∩ mask| ≤ hi over the candidates of a feature table."""

    key: str
    mask: np.ndarray
    lo: int
    hi: int


@dataclass(frozen=True)
class PartitionCap:
    """For every label value, at most `cap` members carry it (the unit cap)."""

    key: str
    labels: np.ndarray
    cap: int


class Rule:
    """Base class; each rule module defines one subclass instance named RULE."""

    id: str = ""
    title_zh: str = ""
    clause: str = ""

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        raise NotImplementedError

    def rows(self, feat: Features) -> list[Row | PartitionCap]:
        """Count constraints over eligible candidates (eligibility itself is by pruning)."""
        return []

    def add_to_model(self, ctx: Any) -> list[Any]:
        """Add the CP-SAT constraints; return them so the caller can guard them."""
        raise NotImplementedError

    def describe(self, pkg: Package) -> str:
        """The rule's setting in this package, as one Chinese sentence."""
        return self.title_zh


def known_members(pkg: Package, members: Sequence[str]) -> list[Expert]:
    """Members that exist in the package, each once (unknown ids are eligibility's business)."""
    seen: set[str] = set()
    out = []
    for mid in members:
        expert = pkg.expert_by_id.get(mid)
        if expert is not None and mid not in seen:
            seen.add(mid)
            out.append(expert)
    return out


def conflicted(pkg: Package, expert: Expert, applicant: Applicant) -> bool:
    """The contract's definition of a conflicted expert/applicant pair."""
    if pkg.rules.recuse_same_unit and expert.unit == applicant.unit:
        return True
    return any(c.expert == expert.id and c.applicant == applicant.id for c in pkg.conflicts)


def conflict_pairs(pkg: Package) -> set[tuple[str, str]]:
    """Declared conflict pairs (expert id, applicant id)."""
    return {(c.expert, c.applicant) for c in pkg.conflicts}
