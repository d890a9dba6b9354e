"""The contract's rules, one module each, in contract order (`ALL`)."""

from __future__ import annotations

from solver.rules import (
    eligibility,
    max_consecutive_years,
    max_per_unit,
    min_full_senior_share,
    min_per_unit_kind,
    min_specialist_voters,
    min_voters_share,
    panel_size,
    specialty_demand,
)
from solver.rules.base import PartitionCap, Row, Rule, Violation

ALL: tuple[Rule, ...] = (
    panel_size.RULE,
    eligibility.RULE,
    max_consecutive_years.RULE,
    min_full_senior_share.RULE,
    max_per_unit.RULE,
    min_per_unit_kind.RULE,
    specialty_demand.RULE,
    min_voters_share.RULE,
    min_specialist_voters.RULE,
)
BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL}

__all__ = ["ALL", "BY_ID", "PartitionCap", "Row", "Rule", "Violation"]
