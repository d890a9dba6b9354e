"""Rule `min_per_unit_kind`: for each kind K, members with unit_kind K ≥ the given count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solver.package import Package
from solver.rules.base import Row, Rule, Violation, known_members


class MinPerUnitKind(Rule):
    id = "min_per_unit_kind"
    title_zh = "各类单位的评委不少于规定人数"
    clause = (
        "吉林省2013年评委会组建办法：评委按规定比例（如2:2:6、2:3:5）从不同类别单位产生"
        "（各类别人数为本系统默认设置）"
    )

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        experts = known_members(pkg, members)
        out = []
        for kind, want in pkg.rules.min_per_unit_kind:
            have = sum(1 for e in experts if e.unit_kind == kind)
            if have < want:
                out.append(
                    Violation(
                        self.id, f"需要至少{want}名来自{kind}的评委，只有{have}名", want, have
                    )
                )
        return out

    def rows(self, feat: Any) -> list[Any]:
        return [
            Row(f"{self.id}:{kind}", feat.kind_mask(kind), want, feat.n)
            for kind, want in feat.pkg.rules.min_per_unit_kind
            if want > 0
        ]

    def add_to_model(self, ctx: Any) -> list[Any]:
        return [
            ctx.model.add(ctx.total(ctx.feat.kind_mask(kind)) >= want)
            for kind, want in ctx.feat.pkg.rules.min_per_unit_kind
            if want > 0
        ]

    def describe(self, pkg: Package) -> str:
        parts = [f"{k}至少{c}名" for k, c in pkg.rules.min_per_unit_kind]
        return "各类单位评委人数：" + ("、".join(parts) if parts else "不限")


RULE = MinPerUnitKind()
