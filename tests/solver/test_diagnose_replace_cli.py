"""Diagnosis of infeasible packages, replacement of declines, and the CLI exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from expertpool.cli import main
from solver.diagnose import minimal_core
from solver.engine import draw, replace
from solver.errors import PackageError
from solver.package import parse_package
from tests.builders import applicant, expert, package
from tests.solver.checks import assert_independently_valid


def _rules(result: dict) -> list[str]:
    return [d["rule"] for d in result["diagnosis"]]


def test_too_few_full_seniors() -> None:
    experts = [expert(f"E{i}", f"U{i}", "正高级" if i < 2 else "副高级") for i in range(9)]
    data = package(experts, panel_size=7, rules={"min_full_senior_share": "1/2"})
    result = draw(data, "d")
    assert result["status"] == "infeasible"
    (entry,) = result["diagnosis"]
    assert entry == {
        "rule": "min_full_senior_share",
        "message": "需要至少4名正高级专家，符合条件的正高级专家只有2名",
        "need": 4,
        "have": 2,
    }
    assert_independently_valid(data, result)


def test_supply_counts_name_each_shortage() -> None:
    experts = [expert(f"E{i}", "U1", served=(2022, 2023)) for i in range(3)]
    experts += [expert("E9", "U2", "中级")]
    data = package(
        experts,
        panel_size=3,
        min_rank="副高级",
        rules={
            "max_per_unit": 1,
            "max_consecutive_years": 2,
            "specialty_demand": {"暖通": 1},
            "min_specialist_voters": 1,
        },
        applicants=[applicant("A1", "U7", "给排水")],
    )
    result = draw(data, "d")
    rules = _rules(result)
    assert (
        "eligibility" in rules and "specialty_demand" in rules and "min_specialist_voters" in rules
    )
    assert any("连续任职" in d["message"] for d in result["diagnosis"])
    assert_independently_valid(data, result)


def test_unit_holding_most_of_the_pool() -> None:
    experts = [expert(f"E{i}", "U1") for i in range(8)] + [expert("E9", "U2")]
    data = package(experts, panel_size=5, rules={"max_per_unit": 2})
    result = draw(data, "d")
    (entry,) = result["diagnosis"]
    assert entry["rule"] == "max_per_unit" and (entry["need"], entry["have"]) == (5, 3)
    assert "U1" in entry["message"]
    assert_independently_valid(data, result)


def test_assumption_core_is_minimal() -> None:
    experts = [expert(f"F{i}", "U1", "正高级") for i in range(3)]
    experts += [expert("V1", "U2", "副高级"), expert("V2", "U3", "副高级")]
    data = package(experts, panel_size=3, rules={"max_per_unit": 1, "min_full_senior_share": "2/3"})
    result = draw(data, "d")
    assert result["status"] == "infeasible"
    assert sorted(_rules(result)) == ["max_per_unit", "min_full_senior_share"]
    assert all("不能同时满足" in d["message"] for d in result["diagnosis"])
    assert sorted(minimal_core(parse_package(data))) == ["max_per_unit", "min_full_senior_share"]
    assert_independently_valid(data, result)


def _replace_pool() -> bytes:
    experts = [expert(f"E{i}", f"U{i % 4}", "正高级" if i % 2 else "副高级") for i in range(10)]
    return package(
        experts,
        panel_size=5,
        rules={"alternates": 2, "max_per_unit": 2, "min_full_senior_share": "1/2"},
    )


def test_replace_by_alternate_then_redraw() -> None:
    data = _replace_pool()
    panel = draw(data, "r")
    members = panel["members"]
    one = replace(data, json.dumps(panel).encode(), [members[0]])
    assert (
        one["replacements"]
        == [{"declined": members[0], "by": panel["alternates"][0], "how": "alternate"}]
        or one["replacements"][0]["by"] in panel["alternates"]
    )
    assert members[0] not in one["members"] and len(one["members"]) == 5
    assert_independently_valid(data, one)
    many = replace(data, json.dumps(panel).encode(), members[:4])
    hows = [r["how"] for r in many["replacements"]]
    assert "redraw" in hows and not set(members[:4]) & set(many["members"])
    assert_independently_valid(data, many)


def test_replace_rejects_non_member() -> None:
    data = _replace_pool()
    panel = draw(data, "r")
    outsider = next(e.id for e in parse_package(data).experts if e.id not in panel["members"])
    with pytest.raises(PackageError, match="--declined"):
        replace(data, json.dumps(panel).encode(), [outsider])


def test_cli_draw_verify_replace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixed_cli_chance: None
) -> None:
    pkg = tmp_path / "pkg.json"
    pkg.write_bytes(_replace_pool())
    out = tmp_path / "panel.json"
    assert main(["draw", str(pkg), "--seed", "cli", "-o", str(out)]) == 0
    assert main(["verify", str(pkg), str(out)]) == 0
    assert "结论：评委会合规" in capsys.readouterr().out
    panel = json.loads(out.read_text(encoding="utf-8"))
    tampered = dict(panel, uncovered=[panel["members"][0]])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered), encoding="utf-8")
    assert main(["verify", str(pkg), str(bad)]) == 1
    new = tmp_path / "new.json"
    declined = panel["members"][0]
    assert main(["replace", str(pkg), str(out), "--declined", declined, "-o", str(new)]) == 0
    assert main(["verify", str(pkg), str(new)]) == 0
    assert main(["replace", str(pkg), str(out), "--declined", "NOPE"]) == 2
    assert "--declined" in capsys.readouterr().err
    # Seed omitted: a fresh one is made and recorded (from a fixed source here).
    assert main(["draw", str(pkg), "-o", str(out)]) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["seed"]) == 16


def test_cli_infeasible_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = tmp_path / "pkg.json"
    pkg.write_bytes(package([expert("E1"), expert("E2")], panel_size=3))
    out = tmp_path / "panel.json"
    assert main(["draw", str(pkg), "--seed", "x", "-o", str(out)]) == 3
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["status"] == "infeasible" and result["diagnosis"]
    assert "无法抽取" in capsys.readouterr().err
    assert main(["verify", str(pkg), str(out)]) == 1


def test_a_redraw_avoids_experts_made_unavailable_since_the_draw() -> None:
    experts = [expert(f"E{i:02d}", f"U{i % 6}", "正高级" if i % 2 else "副高级") for i in range(18)]
    data = package(
        experts,
        panel_size=5,
        rules={"alternates": 2, "max_per_unit": 2, "min_full_senior_share": "1/2"},
    )
    panel = draw(data, "r")
    declined = panel["members"][:4]
    plain = replace(data, json.dumps(panel).encode(), declined)
    redrawn = {r["by"] for r in plain["replacements"] if r["how"] == "redraw"}
    assert redrawn
    avoided = replace(data, json.dumps(panel).encode(), declined, unavailable=redrawn)
    assert avoided["status"] == "drawn" and not redrawn & set(avoided["members"])
    assert [r["how"] for r in avoided["replacements"]].count("redraw") == len(redrawn)
    assert_independently_valid(data, avoided)
    # With nobody left to complete it, the answer is "re-form", never a relaxed rule.
    others = {e for e in (f"E{i:02d}" for i in range(18))} - set(panel["members"])
    none_left = replace(data, json.dumps(panel).encode(), declined, unavailable=others)
    assert none_left["status"] == "infeasible" and none_left["diagnosis"]
