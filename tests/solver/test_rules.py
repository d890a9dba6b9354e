"""Each rule alone: a compliant and a violating panel, judged by its check and by its model."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import pytest
from ortools.sat.python import cp_model

from solver.engine import draw
from solver.features import Features
from solver.model import ModelContext, make_solver
from solver.package import Package, parse_package
from solver.registry import ALL, BY_ID, complies, eligible
from solver.rowsystem import RowSystem
from solver.rules.base import Rule
from tests.builders import applicant, expert, package
from tests.solver.checks import assert_independently_valid


def model_accepts(pkg: Package, rule_id: str, members: list[str]) -> bool:
    feat = Features(pkg, [e for e in pkg.experts if e.available])
    ctx = ModelContext(feat)
    BY_ID[rule_id].add_to_model(ctx)
    chosen = set(members)
    for i, eid in enumerate(feat.ids):
        v = 1 if eid in chosen else 0
        ctx.set_domain(i, v, v)
    status = make_solver(1).solve(ctx.model)
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


E = expert
CASES: dict[str, dict[str, Any]] = {
    "panel_size": dict(
        experts=[E("E1"), E("E2"), E("E3"), E("E4")],
        good=["E1", "E2", "E3"],
        bad=["E1", "E2", "E3", "E4"],
    ),
    "eligibility": dict(
        experts=[E("E1"), E("E2"), E("E3"), E("E4", rank="中级")],
        min_rank="副高级",
        good=["E1", "E2", "E3"],
        bad=["E1", "E2", "E4"],
    ),
    "max_consecutive_years": dict(
        experts=[E("E1"), E("E2"), E("E3"), E("E4", served=(2022, 2023))],
        rules={"max_consecutive_years": 2},
        good=["E1", "E2", "E3"],
        bad=["E1", "E2", "E4"],
    ),
    "max_age": dict(
        experts=[
            E("E1", birth="1970-01-01"),
            E("E2", birth="1959-10-21"),  # 65 on the window's first day: not above 65
            E("E3", birth="1980-05-05"),
            E("E4", birth="1959-10-20"),  # 65 the day before: still 65
            E("E5", birth="1950-01-01"),  # 74
        ],
        rules={"max_age": 65},
        good=["E1", "E2", "E4"],
        bad=["E1", "E2", "E5"],
    ),
    "min_full_senior_share": dict(
        experts=[E("E1"), E("E2"), E("E3", rank="副高级"), E("E4", rank="副高级")],
        rules={"min_full_senior_share": "1/2"},
        good=["E1", "E2", "E3"],
        bad=["E1", "E3", "E4"],
    ),
    "min_share_under_age": dict(
        experts=[
            E("E1", birth="1980-01-01"),
            E("E2", birth="1969-10-22"),  # 54 on 2024-10-21: younger than 55
            E("E3", birth="1969-10-21"),  # 55 that day: not younger
            E("E4", birth="1960-03-03"),
        ],
        rules={"min_share_under_age": {"age": 55, "share": "2/3"}},
        good=["E1", "E2", "E3"],
        bad=["E1", "E3", "E4"],
    ),
    "max_per_unit": dict(
        experts=[E("E1", "U1"), E("E2", "U1"), E("E3", "U2"), E("E4", "U1")],
        rules={"max_per_unit": 2},
        good=["E1", "E2", "E3"],
        bad=["E1", "E2", "E4"],
    ),
    "min_per_unit_kind": dict(
        experts=[E("E1", kind="企业"), E("E2", kind="高校"), E("E3"), E("E4")],
        rules={"min_per_unit_kind": {"企业": 1}},
        good=["E1", "E2", "E3"],
        bad=["E2", "E3", "E4"],
    ),
    "specialty_demand": dict(
        experts=[E("E1", specs=("给排水",)), E("E2"), E("E3"), E("E4")],
        rules={"specialty_demand": {"给排水": 1}},
        good=["E1", "E2", "E3"],
        bad=["E2", "E3", "E4"],
    ),
    "min_voters_share": dict(
        experts=[E("E1", "U1"), E("E2", "U1"), E("E3", "U2"), E("E4", "U3")],
        applicants=[applicant("A1", "U1")],
        rules={"min_voters_share": "2/3", "recuse_same_unit": True},
        good=["E1", "E3", "E4"],
        bad=["E1", "E2", "E3"],
    ),
    "min_specialist_voters": dict(
        experts=[
            E("E1", "U1", specs=("给排水",)),
            E("E2", "U2", specs=("给排水",)),
            E("E3", "U3"),
            E("E4", "U4"),
        ],
        applicants=[applicant("A1", "U9", "给排水")],
        conflicts=[{"expert": "E2", "applicant": "A1", "reason": "近亲属"}],
        rules={"min_specialist_voters": 1},
        good=["E1", "E3", "E4"],
        bad=["E2", "E3", "E4"],
    ),
    "min_group_members": dict(
        experts=[
            E("E1", "U1", specs=("岩土工程",)),
            E("E2", "U2", specs=("给排水",)),
            E("E3", "U3", specs=("暖通",)),
            E("E4", "U4"),
        ],
        # E1 counts for 结构组 although it recuses from A1 (same unit): groups count members.
        applicants=[applicant("A1", "U1", group="结构组"), applicant("A2", "U9")],
        groups={"结构组": ["建筑工程", "岩土工程"], "设备组": ["暖通"]},
        rules={"min_group_members": 1, "recuse_same_unit": True},
        good=["E1", "E2", "E3"],
        bad=["E2", "E3", "E4"],
    ),
}


def test_registry_in_contract_order() -> None:
    assert [r.id for r in ALL] == list(CASES)
    for rule in ALL:
        assert rule.title_zh and rule.clause and rule.id


@pytest.mark.parametrize("rule_id", list(CASES))
def test_rule_alone(rule_id: str) -> None:
    case = CASES[rule_id]
    data = package(
        case["experts"],
        rules=case.get("rules"),
        applicants=case.get("applicants"),
        conflicts=case.get("conflicts"),
        min_rank=case.get("min_rank", "中级"),
        groups=case.get("groups"),
    )
    pkg = parse_package(data)
    rule = BY_ID[rule_id]
    assert rule.check(pkg, case["good"]) == []
    found = rule.check(pkg, case["bad"])
    assert found and all(v.rule == rule_id and v.message for v in found)
    assert model_accepts(pkg, rule_id, case["good"])
    assert not model_accepts(pkg, rule_id, case["bad"])
    result = draw(data, "rule-" + rule_id)
    assert result["status"] == "drawn"
    assert_independently_valid(data, result)


def test_check_reports_numbers() -> None:
    data = package(
        [E("E1"), E("E2", rank="副高级"), E("E3", rank="副高级")],
        rules={"min_full_senior_share": "2/3"},
    )
    (v,) = BY_ID["min_full_senior_share"].check(parse_package(data), ["E1", "E2", "E3"])
    assert (v.need, v.have) == (2, 1) and "2" in v.message


def test_verify_and_rules_do_not_import_ortools() -> None:
    import subprocess
    import sys

    code = (
        "import sys, solver, solver.verify, solver.defaults, solver.registry, solver.season.verify;"
        " solver.verify_plan; solver.verify_panel; assert 'ortools' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_over_age_breaks_eligibility_too() -> None:
    case = CASES["max_age"]
    pkg = parse_package(package(case["experts"], rules=case["rules"]))
    found = {v.rule for rule in ALL for v in rule.check(pkg, case["bad"])}
    assert found == {"eligibility", "max_age"}
    (v,) = BY_ID["max_age"].check(pkg, case["bad"])
    assert "74周岁" in v.message and "65" in v.message


def test_age_rules_off_leave_the_model_alone() -> None:
    """Off (the default), the age rules add nothing: no constraints, no guard literal."""
    from solver.model import build_model

    pkg = parse_package(package([E("E1"), E("E2"), E("E3")]))
    feat = Features(pkg, list(pkg.experts))
    _ctx, lits = build_model(feat, guarded=True)
    assert "max_age" not in lits and "min_share_under_age" not in lits
    assert not BY_ID["max_age"].applies(pkg) and not BY_ID["min_share_under_age"].applies(pkg)


def test_age_shortage_in_the_diagnosis() -> None:
    experts = [E(f"E{i}", f"U{i}", birth="1960-01-01") for i in range(6)]
    experts += [E("Y1", "U9", birth="1990-01-01")]
    data = package(experts, rules={"min_share_under_age": {"age": 55, "share": "2/3"}})
    result = draw(data, "age")
    assert result["status"] == "infeasible"
    (entry,) = result["diagnosis"]
    assert entry["rule"] == "min_share_under_age"
    assert entry["message"] == "需要至少2名55岁以下评委，符合条件的只有1名"
    assert (entry["need"], entry["have"]) == (2, 1)
    assert_independently_valid(data, result)


def test_over_age_experts_noted_in_the_supply_count() -> None:
    experts = [E(f"E{i}", f"U{i}", birth="1950-01-01") for i in range(3)]
    experts += [E("Y1", "U9", birth="1990-01-01")]
    data = package(experts, rules={"max_age": 60})
    result = draw(data, "age")
    (entry,) = result["diagnosis"]
    assert entry["rule"] == "eligibility"
    assert "另有3名专家因年龄超过上限被排除" in entry["message"]
    assert_independently_valid(data, result)


def test_age_rules_through_alternates_and_replace() -> None:
    import json

    from solver.engine import replace

    experts = [E(f"Y{i}", f"U{i}", birth=f"19{80 + i}-01-01") for i in range(4)]
    experts += [E(f"O{i}", f"V{i}", birth=f"19{50 + i}-01-01") for i in range(4)]  # 70+
    experts += [E(f"M{i}", f"W{i}", birth=f"196{i}-12-01") for i in range(3)]  # 60-63
    rules = {"alternates": 3, "max_age": 65, "min_share_under_age": {"age": 55, "share": "2/3"}}
    data = package(experts, rules=rules)
    result = draw(data, "age-replace")
    assert result["status"] == "drawn"
    assert not any(x.startswith("O") for x in result["members"] + result["alternates"])
    assert sum(m.startswith("Y") for m in result["members"]) >= 2
    assert_independently_valid(data, result)
    young = next(m for m in result["members"] if m.startswith("Y"))
    out = replace(data, json.dumps(result, ensure_ascii=False).encode(), [young])
    assert out["status"] == "drawn" and young not in out["members"]
    assert sum(m.startswith("Y") for m in out["members"]) >= 2
    assert_independently_valid(data, out)


def _case_package(rule_id: str) -> Package:
    case = CASES[rule_id]
    return parse_package(
        package(
            case["experts"],
            rules=case.get("rules"),
            applicants=case.get("applicants"),
            conflicts=case.get("conflicts"),
            min_rank=case.get("min_rank", "中级"),
            groups=case.get("groups"),
        )
    )


@pytest.mark.parametrize("rule_id", list(CASES))
def test_rows_agree_with_the_plain_check(rule_id: str) -> None:
    """On each rule's test case, every selection of n eligible experts complies by the rule's
    rows exactly when the rule's plain check passes (all of them, so a forgotten row fails),
    and likewise for the whole registry on random small selections of the case's experts."""
    pkg = _case_package(rule_id)
    rule = BY_ID[rule_id]
    feat = Features(pkg, eligible(pkg))
    alone, every = RowSystem(feat, rules=[rule]), RowSystem(feat)
    n = pkg.rules.panel_size
    rng = random.Random(rule_id)
    combos = list(combinations(range(feat.m), n))
    seen = {True: 0, False: 0}
    for sel in combos + [tuple(rng.sample(range(feat.m), n)) for _ in range(20)]:
        ids = [feat.ids[i] for i in sel]
        ok = not rule.check(pkg, ids)
        assert alone.complies(list(sel)) == ok, (rule_id, ids)
        assert every.complies(list(sel)) == complies(pkg, ids), (rule_id, ids)
        seen[ok] += 1
    # Over eligible experts only, the size and eligibility rules always pass; the others must
    # meet both answers on their case.
    if not rule.bars and rule_id not in ("panel_size", "eligibility"):
        assert seen[True] and seen[False], seen


def test_a_rule_without_rows_is_refused() -> None:
    with pytest.raises(TypeError, match="rows"):

        class Forgetful(Rule):  # noqa: F841 - defining it is the test
            id = "forgetful"

            def check(self, pkg: Package, members: Sequence[str]) -> list[Any]:
                return []
