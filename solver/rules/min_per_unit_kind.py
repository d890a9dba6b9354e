"""Rule `min_per_unit_kind`: for each kind K, members with unit_kind K ≥ the given count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from solver.contract import UNIT_KINDS, Expert, Package, known_members
from solver.errors import PackageError
from solver.params import FormContext, Param
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation, group_minimums

Counts = tuple[tuple[str, int], ...]


def parse_kind_counts(value: object, path: str) -> Counts:
    out: dict[str, int] = {}
    for key, count in R.obj(value, path).items():
        sub = f"{path}.{key}"
        if key not in UNIT_KINDS:
            raise PackageError(
                f"{sub}：未知单位类别“{key}”（应为 {'/'.join(UNIT_KINDS)}）", field=sub
            )
        out[key] = R.integer(count, sub)
    return tuple(sorted(out.items()))


MIN_PER_UNIT_KIND: Param[Counts] = Param(
    key="min_per_unit_kind",
    label_zh="各类单位最少评委人数",
    unit_zh="名",
    widget="kind_counts",
    absent=(),
    parse=parse_kind_counts,
    default=lambda d: {},
    form_order=60,
    rule="min_per_unit_kind",
)


def _of_kind(expert: Expert, kind: str) -> bool:
    return expert.unit_kind == kind


class MinPerUnitKind(Rule):
    id = "min_per_unit_kind"
    title_zh = "各类单位的评委不少于规定人数"
    clause = (
        "吉林省2013年评委会组建办法：评委按规定比例（如2:2:6、2:3:5）从不同类别单位产生"
        "（各类别人数为本系统默认设置）"
    )
    params = (MIN_PER_UNIT_KIND,)

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        return group_minimums(
            self.id,
            MIN_PER_UNIT_KIND.of(pkg.rules),
            known_members(pkg, members),
            _of_kind,
            lambda kind, want, have: f"需要至少{want}名来自{kind}的评委，只有{have}名",
        )

    def rows(self, feat: Any) -> list[Any]:
        return [
            Row(f"{self.id}:{kind}", feat.kind_mask(kind), want, feat.n)
            for kind, want in MIN_PER_UNIT_KIND.of(feat.pkg.rules)
            if want > 0
        ]

    def add_to_model(self, ctx: Any) -> list[Any]:
        return [
            ctx.model.add(ctx.total(ctx.feat.kind_mask(kind)) >= want)
            for kind, want in MIN_PER_UNIT_KIND.of(ctx.feat.pkg.rules)
            if want > 0
        ]

    def supply(self, s: Supply) -> list[Violation]:
        return group_minimums(
            self.id,
            MIN_PER_UNIT_KIND.of(s.pkg.rules),
            s.eligible,
            _of_kind,
            lambda kind, want, have: f"需要至少{want}名来自{kind}的评委，符合条件的只有{have}名",
        )

    def settings_problems(
        self, rules: Mapping[str, Any], seats: int, ctx: FormContext
    ) -> dict[str, str]:
        # Every expert has one unit kind, so quotas above the seats together are impossible.
        quotas: dict[str, int] = {k: v for k, v in (rules.get(self.id) or {}).items() if v > 0}
        total = sum(quotas.values())
        if total > seats:
            text = f"各类单位最低人数合计{total}人，超过评委人数{seats}人，请调整"
            return {self.id: text}
        return {}

    def describe(self, pkg: Package) -> str:
        parts = [f"{k}至少{c}名" for k, c in MIN_PER_UNIT_KIND.of(pkg.rules)]
        return "各类单位评委人数：" + ("、".join(parts) if parts else "不限")


RULE = MinPerUnitKind()
