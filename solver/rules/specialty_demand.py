"""Rule `specialty_demand`: for each specialty S, members listing S ≥ the given count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solver.package import Package
from solver.rules.base import Row, Rule, Violation, known_members


class SpecialtyDemand(Rule):
    id = "specialty_demand"
    title_zh = "各专业的评委不少于规定人数"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审专家从专家库中按专业随机抽取"
        "（各专业人数为本系统默认设置：有申报人的专业1名，申报人20名以上的专业3名）"
    )

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        experts = known_members(pkg, members)
        out = []
        for spec, want in pkg.rules.specialty_demand:
            have = sum(1 for e in experts if spec in e.specialties)
            if have < want:
                out.append(
                    Violation(
                        self.id, f"专业“{spec}”需要至少{want}名评委，只有{have}名", want, have
                    )
                )
        return out

    def rows(self, feat: Any) -> list[Any]:
        return [
            Row(f"{self.id}:{spec}", feat.spec_mask(spec), want, feat.n)
            for spec, want in feat.pkg.rules.specialty_demand
            if want > 0
        ]

    def add_to_model(self, ctx: Any) -> list[Any]:
        return [
            ctx.model.add(ctx.spec_total(spec) >= want)
            for spec, want in ctx.feat.pkg.rules.specialty_demand
            if want > 0
        ]

    def describe(self, pkg: Package) -> str:
        parts = [f"{s}至少{c}名" for s, c in pkg.rules.specialty_demand]
        return "各专业评委人数：" + ("、".join(parts) if parts else "不限")


RULE = SpecialtyDemand()
