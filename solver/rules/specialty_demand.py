"""Rule `specialty_demand`: for each specialty S, members listing S ≥ the given count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solver.contract import Expert, Package, known_members
from solver.errors import PackageError
from solver.params import BIG_SPECIALTY, Defaults, Param
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation, group_minimums

Counts = tuple[tuple[str, int], ...]


def parse_specialty_counts(value: object, path: str) -> Counts:
    obj = R.obj(value, path)
    out: dict[str, int] = {}
    for key, count in obj.items():
        if not key.strip():
            raise PackageError(f"{path}：专业名称不能为空", field=path)
        out[key] = R.integer(count, f"{path}.{key}")
    return tuple(sorted(out.items()))


def default_demand(d: Defaults) -> dict[str, int]:
    """One member for every specialty with applicants, three from BIG_SPECIALTY applicants."""
    return {
        spec: (3 if count >= BIG_SPECIALTY else 1)
        for spec, count in sorted(d.specialties_with_applicants.items())
        if count > 0
    }


def _within_seats(value: object, seats: int) -> str | None:
    if isinstance(value, dict) and sum(value.values()) > seats * 3:
        return "各专业最少人数明显超过评委人数"
    return None


SPECIALTY_DEMAND: Param[Counts] = Param(
    key="specialty_demand",
    label_zh="各专业最少评委人数",
    unit_zh="名",
    widget="specialty_counts",
    absent=(),
    parse=parse_specialty_counts,
    default=default_demand,
    form_order=70,
    form_check=_within_seats,
    rule="specialty_demand",
)


def _of_specialty(expert: Expert, spec: str) -> bool:
    return spec in expert.specialties


class SpecialtyDemand(Rule):
    id = "specialty_demand"
    title_zh = "各专业的评委不少于规定人数"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审专家从专家库中按专业随机抽取"
        "（各专业人数为本系统默认设置：有申报人的专业1名，申报人20名以上的专业3名）"
    )
    params = (SPECIALTY_DEMAND,)

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        return group_minimums(
            self.id,
            SPECIALTY_DEMAND.of(pkg.rules),
            known_members(pkg, members),
            _of_specialty,
            lambda spec, want, have: f"专业“{spec}”需要至少{want}名评委，只有{have}名",
        )

    def rows(self, feat: Any) -> list[Any]:
        return [
            Row(f"{self.id}:{spec}", feat.spec_mask(spec), want, feat.n)
            for spec, want in SPECIALTY_DEMAND.of(feat.pkg.rules)
            if want > 0
        ]

    def add_to_model(self, ctx: Any) -> list[Any]:
        return [
            ctx.model.add(ctx.spec_total(spec) >= want)
            for spec, want in SPECIALTY_DEMAND.of(ctx.feat.pkg.rules)
            if want > 0
        ]

    def supply(self, s: Supply) -> list[Violation]:
        return group_minimums(
            self.id,
            SPECIALTY_DEMAND.of(s.pkg.rules),
            s.eligible,
            _of_specialty,
            lambda spec, want, have: (
                f"专业“{spec}”需要至少{want}名评委，符合条件的该专业专家只有{have}名"
            ),
        )

    def describe(self, pkg: Package) -> str:
        parts = [f"{s}至少{c}名" for s, c in SPECIALTY_DEMAND.of(pkg.rules)]
        return "各专业评委人数：" + ("、".join(parts) if parts else "不限")


RULE = SpecialtyDemand()
