"""Rule `specialty_demand`: for each specialty S, members listing S ≥ the given count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from solver.contract import Expert, Package, known_members
from solver.errors import PackageError
from solver.params import BIG_SPECIALTY, Defaults, FormContext, Param
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation, group_minimums, top_coverage

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


SPECIALTY_DEMAND: Param[Counts] = Param(
    key="specialty_demand",
    label_zh="各专业最少评委人数",
    unit_zh="名",
    widget="specialty_counts",
    absent=(),
    parse=parse_specialty_counts,
    default=default_demand,
    form_order=70,
    rule="specialty_demand",
)


def _of_specialty(expert: Expert, spec: str) -> bool:
    return spec in expert.specialties


# Without the pool (or with fewer experts than seats), experts listing several specialties
# may let a sum pass the seats; only a sum far above them is refused then.
_NO_POOL_FACTOR = 3


def sum_sentence(total: int, seats: int, cover: int, whose: str) -> str:
    """Why the specialty minimums together cannot be met (each member counts once for every
    demanded specialty it lists, so the sum may exceed the seats only by such experts)."""
    text = f"各专业最低人数合计{total}人，超过评委人数{seats}人"
    if cover > seats:
        text += f"；{whose}列有所需专业最多的{seats}名专家合计也只能计{cover}人次"
    return text


def _sum_problem(demand: Mapping[str, int], seats: int, ctx: FormContext) -> str | None:
    total, pool = sum(demand.values()), ctx.pool_for(seats)
    if pool is None:
        cover = seats * _NO_POOL_FACTOR
    else:
        cover = top_coverage(set(demand), (e.specialties for e in pool), seats)
    if total <= max(cover, seats):
        return None
    return sum_sentence(total, seats, cover, "专家库中") + "，请调整"


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

    def settings_problems(
        self, rules: Mapping[str, Any], seats: int, ctx: FormContext
    ) -> dict[str, str]:
        demand: dict[str, int] = {k: v for k, v in (rules.get(self.id) or {}).items() if v > 0}
        out = {
            f"spec_{spec}": f"专业“{spec}”最低人数{want}人，超过评委人数{seats}人，请调整"
            for spec, want in sorted(demand.items())
            if want > seats
        }
        problem = None if out else _sum_problem(demand, seats, ctx)
        if problem is not None:
            out[self.id] = problem
        return out

    def diagnosis_notes(self, pkg: Package, eligible: list[Expert]) -> list[str]:
        # Shown beside the diagnosis, not written into it: recorded results stay the same.
        demand = {spec: want for spec, want in SPECIALTY_DEMAND.of(pkg.rules) if want > 0}
        total, seats = sum(demand.values()), pkg.rules.panel_size
        if total <= seats:
            return []
        cover = top_coverage(set(demand), (e.specialties for e in eligible), seats)
        if total <= cover:
            return []
        return [sum_sentence(total, seats, cover, "符合条件的专家中")]

    def describe(self, pkg: Package) -> str:
        parts = [f"{s}至少{c}名" for s, c in SPECIALTY_DEMAND.of(pkg.rules)]
        return "各专业评委人数：" + ("、".join(parts) if parts else "不限")


RULE = SpecialtyDemand()
