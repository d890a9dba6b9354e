"""The report's best-lottery part: which values are exact, and the Chinese verdict."""

from __future__ import annotations

from solver.bestreport import verdict
from solver.odds import simulate
from solver.package import parse_package
from tests.builders import expert, package


def test_thin_specialty_is_a_supply_problem() -> None:
    experts = [expert(f"G{i}", f"U{i}", specs=("给排水",)) for i in range(2)]
    experts += [expert(f"B{i}", f"V{i}", specs=("建筑工程",)) for i in range(12)]
    pkg = parse_package(package(experts, panel_size=5, rules={"specialty_demand": {"给排水": 2}}))
    best = simulate(pkg, "s", 20)["best"]
    assert best["minimax"] == {"lp_bound": 1.0, "value": 1.0, "kind": "exact"}
    assert best["maximin"]["kind"] == "upper_bound"
    assert best["verdict"] == "supply" and "专家库过薄（供给不足）" in best["message"]
    assert best["recruit"]["total"] == 2 and "给排水" in best["recruit"]["message"]
    assert best["recruit"]["needs"][0]["specialties"] == ["给排水"]
    exact = simulate(pkg, "s", 20, exact=True)["best"]
    assert exact["maximin"]["kind"] == "exact" and exact["maximin"]["value"] == 0.25


def test_a_wide_pool_is_fine_and_exact_on_request() -> None:
    experts = [expert(f"E{i}", f"U{i}", "正高级" if i % 2 else "副高级") for i in range(12)]
    pkg = parse_package(package(experts, panel_size=3, rules={"min_full_senior_share": "1/3"}))
    report = simulate(pkg, "s", 40, exact=True)
    best = report["best"]
    assert best["minimax"]["kind"] == "exact" and best["minimax"]["value"] == 0.25
    assert best["minimax"]["lp_bound"] == 0.25
    assert best["verdict"] == "ok" and report["max_member"]["p"] <= 0.5
    assert best["recruit"] is None


def test_verdict_sentences() -> None:
    bound = {"value": 0.4, "kind": "lower_bound"}
    exact = {"value": 0.4, "kind": "exact"}
    assert verdict({"value": 0.6, "kind": "lower_bound"}, 0.9, 0.5)[0] == "supply"
    code, text = verdict(exact, 0.9, 0.5)
    assert code == "draw" and "抽取方式可以更均衡" in text and "1/2" in text
    assert verdict(bound, 0.9, 0.5)[0] == "unknown"
    assert verdict(bound, 0.45, 0.5)[0] == "ok"
