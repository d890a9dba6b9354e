"""Default rules for a meeting, each with the clause it rests on (for the web UI).

Both come from the registry (solver/registry.py): every parameter declares its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from solver.params import BIG_SPECIALTY, INTERMEDIATE_SEATS, SENIOR_NARROW_SEATS, SENIOR_SEATS
from solver.registry import SOURCES, defaults

__all__ = [
    "BIG_SPECIALTY",
    "INTERMEDIATE_SEATS",
    "RULE_SOURCES",
    "SENIOR_NARROW_SEATS",
    "SENIOR_SEATS",
    "default_rules",
]

RULE_SOURCES: dict[str, tuple[str, str]] = SOURCES


def default_rules(
    level: str, seats: int | None, specialties_with_applicants: Mapping[str, int], narrow: bool
) -> dict[str, Any]:
    """The `rules` object of a draw package, filled with the system's defaults.

    `level` is "senior" or "intermediate"; `seats` overrides the panel size (odd, ≥ 3);
    `specialties_with_applicants` maps specialty → number of applicants; `narrow` marks a
    senior committee formed on one or two specialties (11 seats instead of 25).
    """
    if level not in ("senior", "intermediate"):
        raise ValueError(f"level：未知评委会级别“{level}”（应为 senior/intermediate）")
    bad = isinstance(seats, bool) or not isinstance(seats, int) or seats < 3 or seats % 2 == 0
    if seats is not None and bad:
        raise ValueError(f"seats：评委会人数应为不小于3的单数，实际为{seats}")
    return defaults(level, seats, specialties_with_applicants, narrow)
