"""The shortfall report counts eligibility as the registry does (the age cap included), and
at margin 1 without alternates it agrees with the engine's supply counts."""

from __future__ import annotations

from typing import Any

from expertpool.services.shortfall import shortfall_from_package
from solver import registry
from solver.contract import canonical_bytes
from solver.package import parse_package


def _package(births: list[str], **rules: Any) -> dict[str, Any]:
    experts = [
        {
            "id": f"E{i:03d}",
            "unit": f"U{i}",
            "rank": "正高级" if i % 2 else "副高级",
            "specialties": ["建筑工程"],
            "birth_date": birth,
        }
        for i, birth in enumerate(births)
    ]
    return {
        "format": "expertpool.draw/1",
        "meeting": {"id": "T", "year": 2024, "window": ["2024-10-21", "2024-10-31"]},
        "rules": {"panel_size": 3, "min_rank": "副高级", **rules},
        "experts": experts,
        "applicants": [],
        "conflicts": [],
    }


def test_experts_over_the_age_cap_are_not_counted() -> None:
    births = ["1955-01-01", "1958-06-30", "1970-03-03", "1975-04-04", "1980-05-05"]
    open_pool = shortfall_from_package(_package(births), ["建筑工程"], margin=1)
    capped = shortfall_from_package(_package(births, max_age=60), ["建筑工程"], margin=1)
    assert open_pool.eligible_total == 5 and open_pool.recruit_total == 0
    assert capped.eligible_total == 3 and capped.recruit_total == 0
    tight = shortfall_from_package(_package(births, max_age=50), ["建筑工程"], margin=1)
    assert tight.eligible_total == 2 and tight.recruit_total == 1


def test_margin_one_agrees_with_the_engine_supply_counts() -> None:
    births = ["1955-01-01", "1958-06-30", "1970-03-03", "1975-04-04", "1980-05-05"]
    cases: list[dict[str, Any]] = [
        {"max_age": 60},
        {"max_age": 50},
        {"min_full_senior_share": "2/3"},
        {"min_full_senior_share": "1/1"},
    ]
    for rules in cases:
        package = _package(births, **rules)
        report = shortfall_from_package(package, ["建筑工程"], margin=1)
        supply = registry.supply_counts(parse_package(canonical_bytes(package)))
        assert (report.recruit_total > 0) == bool(supply), (rules, supply)
