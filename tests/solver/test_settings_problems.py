"""Save-time checks of the office's rule settings (each rule's `settings_problems`) and the
diagnosis sentence for specialty minimums that add up to more than the seats."""

from __future__ import annotations

from solver import registry
from solver.engine import draw
from solver.package import parse_package
from solver.params import PoolExpert
from tests.builders import expert, package

BASE = {
    "panel_size": "5",
    "alternates": "0",
    "min_rank": "中级",
    "min_full_senior_share": "1/5",
    "max_per_unit": "",
    "min_voters_share": "0/1",
    "min_specialist_voters": "0",
    "max_consecutive_years": "",
    "max_age": "",
}
SPECS = ("建筑工程", "给排水")


def _pool(n: int, units: int = 10, kind: str = "企业") -> list[PoolExpert]:
    return [PoolExpert(f"U{i % units}", kind, "正高级", (SPECS[i % 2],)) for i in range(n)]


def _errors(form: dict[str, str], pool: list[PoolExpert] | None = None) -> dict[str, str]:
    ctx = registry.FormContext(specialties=SPECS, pool=pool)
    return registry.parse_form({**BASE, **form}, ctx)[1]


def test_specialty_minimums_summing_above_the_seats_name_the_sum() -> None:
    errors = _errors({"spec_建筑工程": "4", "spec_给排水": "3"}, _pool(40))
    assert errors == {"specialty_demand": "各专业最低人数合计7人，超过评委人数5人，请调整"}
    assert _errors({"spec_建筑工程": "3", "spec_给排水": "2"}, _pool(40)) == {}


def test_the_sum_may_pass_the_seats_when_experts_list_several_specialties() -> None:
    both = [PoolExpert(f"U{i}", "企业", "正高级", SPECS) for i in range(3)]
    pool = both + _pool(20)
    # 3 experts count twice: 5 seats give at most 8 (member, specialty) pairs.
    assert _errors({"spec_建筑工程": "4", "spec_给排水": "4"}, pool) == {}
    errors = _errors({"spec_建筑工程": "5", "spec_给排水": "4"}, pool)
    assert errors["specialty_demand"] == (
        "各专业最低人数合计9人，超过评委人数5人；专家库中列有所需专业最多的5名专家合计也只能计8人次"
        "，请调整"
    )


def test_one_specialty_above_the_seats_names_the_specialty() -> None:
    errors = _errors({"spec_建筑工程": "6"}, _pool(40))
    assert errors == {"spec_建筑工程": "专业“建筑工程”最低人数6人，超过评委人数5人，请调整"}


def test_unit_kind_quotas_summing_above_the_seats() -> None:
    errors = _errors({"kind_企业": "3", "kind_高校": "3"})
    assert errors == {"min_per_unit_kind": "各类单位最低人数合计6人，超过评委人数5人，请调整"}
    assert _errors({"kind_企业": "3", "kind_高校": "2"}) == {}


def test_unit_cap_that_makes_the_panel_impossible() -> None:
    errors = _errors({"max_per_unit": "1"}, _pool(40, units=4))
    assert errors == {
        "max_per_unit": "同一单位评委上限1名，专家库中的40名专家来自4个单位，"
        "最多只能组成4人，少于评委人数5人，请调整"
    }
    assert _errors({"max_per_unit": "2"}, _pool(40, units=4)) == {}


def test_a_pool_smaller_than_the_seats_is_a_shortage_not_a_wrong_setting() -> None:
    # 4 experts for 5 seats: the bureau may still add experts; only the seats are checked.
    assert _errors({"max_per_unit": "1"}, _pool(4, units=4)) == {}
    assert _errors({"spec_建筑工程": "5", "spec_给排水": "5"}, _pool(4)) == {}
    assert _errors({"spec_建筑工程": "5", "spec_给排水": "5"}, _pool(40)) == {
        "specialty_demand": "各专业最低人数合计10人，超过评委人数5人，请调整"
    }


def test_diagnosis_notes_say_the_specialty_sum_beside_the_stored_diagnosis() -> None:
    experts = [expert(f"E{i:02d}", f"U{i}", specs=(SPECS[i % 2],)) for i in range(40)]
    data = package(experts, rules={"specialty_demand": {"建筑工程": 4, "给排水": 3}}, panel_size=5)
    result = draw(data, "seed-1")
    assert result["status"] == "infeasible"
    # The result (defined by the seed) keeps the core it always had ...
    assert [d["rule"] for d in result["diagnosis"]] == ["panel_size", "specialty_demand"]
    # ... and the sum is said beside it.
    assert registry.diagnosis_notes(parse_package(data)) == [
        "各专业最低人数合计7人，超过评委人数5人"
    ]
    both = [expert(f"E{i:02d}", f"U{i}", specs=SPECS) for i in range(40)]
    assert (
        registry.diagnosis_notes(
            parse_package(
                package(
                    both, rules={"specialty_demand": {"建筑工程": 4, "给排水": 3}}, panel_size=5
                )
            )
        )
        == []
    )
