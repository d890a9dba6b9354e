"""The season rules, one module each, in the order the model adds them per expert."""

from __future__ import annotations

from solver.season.rules import max_panels_per_expert, season_overlap
from solver.season.rules.base import SeasonRule

SEASON_RULES: tuple[SeasonRule, ...] = (season_overlap.RULE, max_panels_per_expert.RULE)
SEASON_BY_ID: dict[str, SeasonRule] = {r.id: r for r in SEASON_RULES}

__all__ = ["SEASON_BY_ID", "SEASON_RULES", "SeasonRule"]
