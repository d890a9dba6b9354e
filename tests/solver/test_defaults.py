from __future__ import annotations

import pytest

from solver.defaults import RULE_SOURCES, default_rules
from solver.engine import draw
from solver.registry import ALL, PARAMS
from tests.builders import expert, package
from tests.solver.checks import assert_independently_valid


def test_senior_defaults() -> None:
    r = default_rules("senior", None, {"建筑工程": 25, "给排水": 3, "暖通": 0}, narrow=False)
    assert r["panel_size"] == 25 and r["alternates"] == 5 and r["max_per_unit"] == 5
    assert r["min_rank"] == "副高级" and r["min_full_senior_share"] == "1/2"
    assert r["specialty_demand"] == {"建筑工程": 3, "给排水": 1}
    assert r["recuse_same_unit"] is True and r["min_voters_share"] == "2/3"
    assert r["min_specialist_voters"] == 1 and r["max_consecutive_years"] == 3


def test_narrow_and_intermediate_defaults() -> None:
    narrow = default_rules("senior", None, {}, narrow=True)
    assert narrow["panel_size"] == 11 and narrow["alternates"] == 3 and narrow["max_per_unit"] == 3
    mid = default_rules("intermediate", None, {"给排水": 19}, narrow=False)
    assert mid["panel_size"] == 11 and mid["min_rank"] == "中级"
    assert mid["min_full_senior_share"] == "1/5" and mid["specialty_demand"] == {"给排水": 1}
    assert default_rules("senior", 13, {}, narrow=False)["max_per_unit"] == 3


def test_bad_defaults_arguments() -> None:
    with pytest.raises(ValueError, match="seats"):
        default_rules("senior", 12, {}, narrow=False)
    with pytest.raises(ValueError, match="level"):
        default_rules("junior", None, {}, narrow=False)


def test_every_setting_has_a_source() -> None:
    keys = set(default_rules("senior", None, {}, narrow=False))
    rule_ids = {rule.id for rule in ALL} - {"eligibility"}
    params = {p.key for p in PARAMS}
    assert rule_ids <= params and keys <= params
    # Off by default (no Liaoning source; 评议组 size is ours), so left out of the defaults.
    assert params - keys == {"max_age", "min_share_under_age", "min_group_members"}
    for key in params | {rule.id for rule in ALL}:
        sentence, clause = RULE_SOURCES[key]
        assert sentence and clause


def test_defaults_make_a_valid_package() -> None:
    experts = [
        expert(f"E{i:03d}", f"U{i % 40}", "正高级" if i % 2 else "副高级", specs=("建筑工程",))
        for i in range(120)
    ]
    rules = default_rules("senior", None, {"建筑工程": 30}, narrow=False)
    data = package(experts, rules=rules, panel_size=rules["panel_size"], min_rank=rules["min_rank"])
    result = draw(data, "defaults")
    assert result["status"] == "drawn" and len(result["members"]) == 25
    assert_independently_valid(data, result)
