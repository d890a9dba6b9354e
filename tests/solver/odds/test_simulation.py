"""Selection odds by simulation against exact odds from the brute-force lex-first walk."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from solver.draw import draw_package
from solver.odds import (
    Tally,
    check_draws,
    draw_seed,
    odds_report,
    run_draws,
    simulate,
    wilson,
)
from solver.package import Package, parse_package
from tests.builders import expert, package
from tests.solver import brute


def tiny_pool() -> bytes:
    experts = [expert(f"E{i}", f"U{i % 3}", "正高级" if i % 3 == 0 else "副高级") for i in range(7)]
    return package(experts, panel_size=3, rules={"alternates": 1, "min_full_senior_share": "1/3"})


def exact_member_odds(pkg: Package, report_seed: str, k: int) -> dict[str, float]:
    """Over the same K seeds, by the brute-force walk (all subsets in seeded order)."""
    counts: dict[str, int] = {}
    for i in range(k):
        panel = brute.lex_first_panel(pkg, draw_seed(report_seed, pkg.instance_sha256, i))
        assert panel is not None
        for eid in panel:
            counts[eid] = counts.get(eid, 0) + 1
    return {eid: c / k for eid, c in counts.items()}


def test_simulated_panels_are_the_brute_force_panels() -> None:
    pkg = parse_package(tiny_pool())
    k = 60
    report = simulate(pkg, "r", k)
    exact = exact_member_odds(pkg, "r", k)
    for row in report["experts"]:
        assert row["member"]["p"] == pytest.approx(exact.get(row["id"], 0.0), abs=1e-4)


def test_exact_odds_over_all_seed_orders_lie_in_the_interval() -> None:
    """The true probability (brute force over many independent seeds) lies inside the
    Wilson interval of a separate, smaller simulation."""
    pkg = parse_package(tiny_pool())
    truth = exact_member_odds(pkg, "truth", 600)
    report = simulate(pkg, "sim", 200)
    for row in report["experts"]:
        p = truth.get(row["id"], 0.0)
        assert row["member"]["low"] - 0.03 <= p <= row["member"]["high"] + 0.03


def test_members_and_alternates_match_the_draw() -> None:
    pkg = parse_package(tiny_pool())
    tally = Tally(pkg.instance_sha256, "x")
    run_draws(pkg, tally, 5)
    expect = Tally(pkg.instance_sha256, "x")
    for i in range(5):
        panel = draw_package(pkg, draw_seed("x", pkg.instance_sha256, i))
        expect.add(panel["members"], panel["alternates"])
    assert tally.to_json() == expect.to_json()
    assert sum(tally.alternates.values()) == 5


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


def test_report_bytes_same_across_runs_and_chunking() -> None:
    pkg = parse_package(tiny_pool())
    whole = simulate(pkg, "s", 40)
    again = simulate(pkg, "s", 40)
    tally = Tally(pkg.instance_sha256, "s")
    run_draws(pkg, tally, 15)
    resumed = Tally.from_json(json.loads(json.dumps(tally.to_json())))
    run_draws(pkg, resumed, 40)
    chunked = odds_report(pkg, resumed)
    assert _dump(whole) == _dump(again) == _dump(chunked)


def test_specialty_with_exactly_its_demand_sits_on_every_panel() -> None:
    experts = [expert(f"G{i}", f"U{i}", specs=("给排水",)) for i in range(2)]
    experts += [expert(f"B{i}", f"V{i}", specs=("建筑工程",)) for i in range(12)]
    pkg = parse_package(package(experts, panel_size=5, rules={"specialty_demand": {"给排水": 2}}))
    report = simulate(pkg, "s", 30)
    rows = {r["id"]: r for r in report["experts"]}
    assert rows["G0"]["member"]["p"] == rows["G1"]["member"]["p"] == 1.0
    assert report["flagged"] == ["G0", "G1"]
    assert report["max_member"]["p"] == 1.0


def test_infeasible_package_reports_the_diagnosis() -> None:
    experts = [expert(f"E{i}", "U1", "副高级") for i in range(5)]
    pkg = parse_package(package(experts, panel_size=3, rules={"min_full_senior_share": "1/2"}))
    report = simulate(pkg, "s", 10)
    assert report["status"] == "infeasible"
    assert report["experts"] == []
    assert report["diagnosis"] and all(d["message"] for d in report["diagnosis"])


@pytest.mark.parametrize("k", [0, -1, 10001])
def test_draw_count_out_of_range(k: int) -> None:
    with pytest.raises(ValueError, match="1 到 10000"):
        check_draws(k)


def test_wilson_interval_known_values() -> None:
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    rng = random.Random(3)
    for _ in range(50):
        k = rng.randint(1, 500)
        c = rng.randint(0, k)
        low, high = wilson(c, k)
        assert low <= c / k <= high
