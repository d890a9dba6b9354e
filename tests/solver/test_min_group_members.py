"""The 评议组 rule `min_group_members`: brute force, bad input, diagnosis, certificates."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expertpool.cli import main
from solver.engine import draw
from solver.errors import PackageError
from solver.package import parse_package
from solver.registry import BY_ID
from tests.builders import SPECS, applicant, expert, package, package_doc, to_bytes
from tests.solver import brute
from tests.solver.cert.helpers import certified, check, one
from tests.solver.checks import assert_independently_valid

RULE = BY_ID["min_group_members"]
GROUPS = {"结构组": ["建筑工程", "岩土工程"], "设备组": ["给排水", "暖通"], "空组": []}


def group_doc(rng: random.Random) -> dict[str, Any]:
    """A tiny package with review groups and the rule at k = 1 or 2."""
    m = rng.randint(3, 9)
    experts = [
        expert(
            f"E{i:02d}",
            f"U{rng.randint(0, 3)}",
            rng.choice(["副高级", "正高级"]),
            specs=tuple(s for s in SPECS if rng.random() < 0.3),
        )
        for i in range(m)
    ]
    apps = [
        applicant(f"A{j}", f"U{rng.randint(0, 4)}", group=rng.choice([*GROUPS, None]))
        for j in range(rng.randint(0, 3))
    ]
    return package_doc(
        experts,
        applicants=apps,
        groups=GROUPS,
        rules={"min_group_members": rng.choice([1, 2]), "recuse_same_unit": True},
    )


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from(["s1", "评议"]))
def test_draw_is_the_brute_force_first_panel_and_certified(case: int, seed: str) -> None:
    data = to_bytes(group_doc(random.Random(case)))
    pkg = parse_package(data)
    result = draw(data, seed)
    expected = brute.lex_first_panel(pkg, seed)
    if expected is None:
        assert result["status"] == "infeasible"
        return
    assert result["members"] == expected
    assert_independently_valid(data, result)
    verdict = check(data, result, one(certified(data, result)))
    assert verdict.ok, verdict.message


def test_plain_check_by_definition() -> None:
    data = package(
        [expert("E1", specs=("岩土工程",)), expert("E2", specs=("暖通",)), expert("E3")],
        applicants=[applicant("A1", group="结构组"), applicant("A2", group="设备组")],
        groups=GROUPS,
        rules={"min_group_members": 1},
    )
    pkg = parse_package(data)
    assert RULE.check(pkg, ["E1", "E2", "E3"]) == []
    (v,) = RULE.check(pkg, ["E2", "E3"])
    assert (v.need, v.have) == (1, 0) and "结构组" in v.message
    # 空组 is named by no applicant: it needs no members.
    assert [r.key for r in RULE.rows(_feat(pkg))] == [
        "min_group_members:结构组",
        "min_group_members:设备组",
    ]


def _feat(pkg: Any) -> Any:
    from solver.features import Features

    return Features(pkg, pkg.experts)


def test_group_missing_from_groups_is_bad_input_naming_it(tmp_path: Path) -> None:
    doc = package_doc(
        [expert("E1"), expert("E2"), expert("E3")],
        applicants=[applicant("A1", group="高技能人才")],
        groups={"结构组": ["建筑工程"]},
        rules={"min_group_members": 1},
    )
    with pytest.raises(PackageError, match="高技能人才"):
        parse_package(to_bytes(doc))
    path = tmp_path / "p.json"
    path.write_bytes(to_bytes(doc))
    assert main(["draw", str(path), "--seed", "x", "-o", str(tmp_path / "r.json")]) == 2
    # With the rule off, the group is informational only.
    doc["rules"].pop("min_group_members")
    assert draw(to_bytes(doc), "x")["status"] == "drawn"


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: d.update(groups=[]), "groups"),
        (lambda d: d.update(groups={"结构组": "建筑工程"}), "groups.结构组"),
        (lambda d: d["applicants"][0].update(group=3), "applicants[0].group"),
        (lambda d: d["rules"].update(min_group_members=-1), "min_group_members"),
    ],
)
def test_malformed_group_fields_are_bad_input(edit: Any, words: str) -> None:
    doc = package_doc(
        [expert("E1"), expert("E2"), expert("E3")],
        applicants=[applicant("A1", group="结构组")],
        groups={"结构组": ["建筑工程"]},
        rules={"min_group_members": 1},
    )
    edit(doc)
    with pytest.raises(PackageError, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_package(to_bytes(doc))


def test_shortage_is_diagnosed_with_the_numbers() -> None:
    data = package(
        [expert("E1", specs=("暖通",)), expert("E2"), expert("E3"), expert("E4")],
        applicants=[applicant("A1", group="设备组")],
        groups=GROUPS,
        rules={"min_group_members": 2},
    )
    result = draw(data, "d")
    assert result["status"] == "infeasible"
    (entry,) = [d for d in result["diagnosis"] if d["rule"] == "min_group_members"]
    assert (entry["need"], entry["have"]) == (2, 1) and "设备组" in entry["message"]


def test_certificate_proves_rejections_caused_by_the_rule() -> None:
    """Only two experts list a 结构组 specialty and k = 2: every other expert met before both
    are taken... the panel must include both, so experts that would crowd them out are
    rejected and their proofs use the rule's §6 row ["min_group_members", "结构组"]."""
    experts = [expert(f"E{i:02d}", f"U{i}") for i in range(8)]
    experts[6]["specialties"] = ["建筑工程"]
    experts[7]["specialties"] = ["岩土工程"]
    data = package(
        experts,
        applicants=[applicant("A1", group="结构组")],
        groups=GROUPS,
        rules={"min_group_members": 2},
    )
    result = draw(data, "cert")
    assert result["status"] == "drawn"
    assert {"E06", "E07"} <= set(result["members"])
    certs = certified(data, result)
    rows = json.dumps(certs[0]["proofs"], ensure_ascii=False)
    if certs[0]["rejections"]:
        assert '["min_group_members", "结构组"]' in rows
    verdict = check(data, result, one(certs))
    assert verdict.ok, verdict.message
    # The rule binds for some seed: find one with a rejection and check it again.
    bound = 0
    for s in range(20):
        r = draw(data, f"s{s}")
        c = certified(data, r)
        if c[0]["rejections"]:
            bound += 1
            assert "min_group_members" in json.dumps(c[0]["proofs"], ensure_ascii=False)
            assert check(data, r, one(c)).ok
            c[0]["rejections"] = c[0]["rejections"][1:]
            assert check(data, r, one(c)).exit_code == 1
    assert bound > 0


def test_off_by_default_and_group_alone_changes_no_panel() -> None:
    experts = [expert(f"E{i}", f"U{i}", specs=("暖通",) if i % 2 else ()) for i in range(6)]
    grouped = package(experts, applicants=[applicant("A1", group="设备组")], groups=GROUPS)
    pkg = parse_package(grouped)
    assert not RULE.applies(pkg) and RULE.rows(_feat(pkg)) == []
    # Off, the group is informational: E0, E2, E4 (no 设备组 specialty) may make the panel.
    assert RULE.check(pkg, ["E0", "E2", "E4"]) == []
    assert draw(grouped, "z")["members"] == brute.lex_first_panel(pkg, "z")
