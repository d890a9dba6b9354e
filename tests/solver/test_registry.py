"""The registry drives the package, the defaults and the office form."""

from __future__ import annotations

from solver import registry
from solver.package import parse_package
from tests.builders import expert, package

FORM = {
    "panel_size": "11",
    "alternates": "3",
    "min_rank": "中级",
    "min_full_senior_share": "1/5",
    "max_per_unit": "3",
    "kind_企业": "2",
    "spec_给排水": "1",
    "recuse_same_unit": "on",
    "min_voters_share": "2/3",
    "min_specialist_voters": "1",
    "max_consecutive_years": "3",
    "max_age": "",
    "min_share_under_age_age": "55",
    "min_share_under_age_share": "1/2",
}


def test_params_in_form_order_with_labels() -> None:
    keys = [p.key for p in registry.PARAMS]
    assert keys[:3] == ["panel_size", "alternates", "min_rank"]
    assert keys[-2:] == ["max_age", "min_share_under_age"]
    assert registry.LABELS["max_age"] == "专家年龄上限"
    assert all(p.label_zh and p.widget for p in registry.PARAMS)


def test_form_text_parses_into_package_rules() -> None:
    ctx = registry.FormContext(specialties=("给排水", "暖通"))
    rules, errors = registry.parse_form(FORM, ctx)
    assert errors == {}
    assert rules["min_per_unit_kind"] == {"企业": 2}
    assert rules["specialty_demand"] == {"给排水": 1}
    assert rules["max_age"] is None
    assert rules["min_share_under_age"] == {"age": 55, "share": "1/2"}
    experts = [expert(f"E{i}", f"U{i}", birth="1970-01-01") for i in range(12)]
    pkg = parse_package(package(experts, rules=rules, panel_size=11))
    assert pkg.rules.min_share_under_age.age == 55


def test_form_errors_are_chinese_per_input() -> None:
    bad = {**FORM, "panel_size": "12", "max_age": "120", "min_share_under_age_share": "3/2"}
    _rules, errors = registry.parse_form(bad)
    assert errors["panel_size"] == "评委人数应为不小于3的单数"
    assert errors["max_age"] == "专家年龄上限应在30到100之间"
    assert "中青年评委比例的比例" in errors["min_share_under_age_share"]
    _rules, errors = registry.parse_form({**FORM, "max_per_unit": "12"})
    assert errors == {"max_per_unit": "同一单位评委上限12名，超过评委人数11人，请调整"}


def test_defaults_leave_the_age_rules_out() -> None:
    rules = registry.defaults("senior", None, {"建筑工程": 30}, narrow=False)
    assert "max_age" not in rules and "min_share_under_age" not in rules
    assert list(rules)[:3] == ["panel_size", "alternates", "min_rank"]


def test_supply_free_counts_match_the_contract() -> None:
    import random

    from solver.contract import conflicted
    from solver.rules.base import Supply
    from tests.builders import random_doc, to_bytes

    for case in range(60):
        pkg = parse_package(to_bytes(random_doc(random.Random(case))))
        elig = registry.eligible(pkg)
        s = Supply(pkg, elig, "")
        for app in pkg.applicants:
            assert s.free_count(app) == sum(not conflicted(pkg, e, app) for e in elig)
            want = sum(app.specialty in e.specialties and not conflicted(pkg, e, app) for e in elig)
            assert s.free_count(app, app.specialty) == want
