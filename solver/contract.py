"""The contract's definitions shared by the engine and the verifier (draw-format.md).

Plain data and plain Python only: the parsed package (`Package` and its parts), the canonical
bytes of a JSON document, when an expert is conflicted with an applicant, the recusals of a
panel, and an expert's age. Nothing here imports ortools or numpy.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from solver.params import LEVELS, RANK_LEVEL, RANKS, UNIT_KINDS, Param
from solver.settings import ALTERNATES, MIN_RANK, PANEL_SIZE, RECUSE_SAME_UNIT

__all__ = [
    "LEVELS",
    "RANKS",
    "RANK_LEVEL",
    "UNIT_KINDS",
    "Applicant",
    "Conflict",
    "Expert",
    "Meeting",
    "Package",
    "Rules",
    "age_on",
    "canonical_bytes",
    "conflicted",
    "known_members",
    "recusals",
]


def canonical_bytes(doc: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a package (or a season's projection): what a draw hashes."""
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Meeting:
    id: str
    year: int
    level: str | None = None
    committee: str | None = None
    window: tuple[str, str] | None = None


class Rules:
    """A package's `rules`, one typed value per declared parameter (solver/registry.py).

    Rule code reads its own parameter with `PARAM.of(rules)`; the four settings every part
    of the engine needs have typed properties. Attribute access by key (`rules.max_per_unit`)
    is kept for callers outside solver/ and is untyped."""

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, object]) -> None:
        object.__setattr__(self, "values", dict(values))

    values: dict[str, object]

    def get(self, param: Param[Any]) -> Any:
        return self.values[param.key]

    @property
    def panel_size(self) -> int:
        return PANEL_SIZE.of(self)

    @property
    def min_rank(self) -> str:
        return MIN_RANK.of(self)

    @property
    def alternates(self) -> int:
        return ALTERNATES.of(self)

    @property
    def recuse_same_unit(self) -> bool:
        return RECUSE_SAME_UNIT.of(self)

    def __getattr__(self, key: str) -> Any:
        if key == "values":  # not yet set (e.g. while unpickling)
            raise AttributeError(key)
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("Rules is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rules) and self.values == other.values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values)))

    def __repr__(self) -> str:
        return f"Rules({self.values!r})"


@dataclass(frozen=True)
class Expert:
    id: str
    unit: str
    rank: str
    unit_kind: str = "其他"
    name: str = ""
    specialties: tuple[str, ...] = ()
    served: frozenset[int] = frozenset()
    available: bool = True
    birth_date: _dt.date | None = None


@dataclass(frozen=True)
class Applicant:
    id: str
    unit: str
    specialty: str
    # The applicant's review group (评议组), optional; see the package's `groups`.
    group: str | None = None


@dataclass(frozen=True)
class Conflict:
    expert: str
    applicant: str
    reason: str = ""


@dataclass(frozen=True)
class Package:
    meeting: Meeting
    rules: Rules
    experts: tuple[Expert, ...]
    applicants: tuple[Applicant, ...]
    conflicts: tuple[Conflict, ...]
    instance_sha256: str
    expert_by_id: dict[str, Expert] = field(repr=False, compare=False, default_factory=dict)
    # Declared (expert, applicant) pairs, for the contract's conflict test in O(1).
    conflict_pairs: frozenset[tuple[str, str]] = field(
        repr=False, compare=False, default=frozenset()
    )
    # Position of each expert in the file (messages name the field as the file has it).
    file_index: dict[str, int] = field(repr=False, compare=False, default_factory=dict)
    # The package's `groups`: review group (评议组) → its specialties, sorted by name.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def panel_size(self) -> int:
        return self.rules.panel_size


def conflicted(pkg: Package, expert: Expert, applicant: Applicant) -> bool:
    """The contract's definition: same unit under `recuse_same_unit`, or a declared pair."""
    if pkg.rules.recuse_same_unit and expert.unit == applicant.unit:
        return True
    return (expert.id, applicant.id) in pkg.conflict_pairs


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


def recusals(pkg: Package, members: Sequence[str]) -> dict[str, list[str]]:
    """For each applicant with at least one conflicted member, those members (sorted)."""
    experts = known_members(pkg, members)  # a declared conflict names a known expert
    out: dict[str, list[str]] = {}
    for app in pkg.applicants:
        hit = [e.id for e in experts if conflicted(pkg, e, app)]
        if hit:
            out[app.id] = sorted(hit)
    return out


def age_on(birth: _dt.date, day: _dt.date) -> int:
    """Full years (周岁) from `birth` to `day`: a birthday not yet reached this year counts not."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_day(pkg: Package) -> _dt.date:
    """The day ages are counted to: the first day of the meeting window (required by the age
    rules, checked when the package is parsed)."""
    assert pkg.meeting.window is not None
    return _dt.date.fromisoformat(pkg.meeting.window[0])


def fraction_text(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"
