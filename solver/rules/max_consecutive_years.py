"""Rule `max_consecutive_years`: who served in every one of Y-k … Y-1 is barred in Y."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.package import Package
from solver.rules.base import Rule, Violation, known_members


class MaxConsecutiveYears(Rule):
    id = "max_consecutive_years"
    title_zh = "连续参加本评委会达到规定年数的专家当年不得入选"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审专家每届任期不超过3年"
        "（连续年数上限为本系统默认设置）"
    )

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        k = pkg.rules.max_consecutive_years
        if k is None:
            return []
        year = pkg.meeting.year
        window = range(year - k, year)
        out = []
        for expert in sorted(known_members(pkg, members), key=lambda e: e.id):
            if all(y in expert.served for y in window):
                out.append(
                    Violation(
                        self.id,
                        f"专家“{expert.id}”已连续{k}年（{year - k}–{year - 1}）参加本评委会，"
                        f"{year}年不得入选",
                    )
                )
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        bad = np.flatnonzero(ctx.feat.barred)
        return [ctx.model.add(ctx.x[int(i)] == 0) for i in bad]

    def describe(self, pkg: Package) -> str:
        k = pkg.rules.max_consecutive_years
        return "不限制连续任职年数" if k is None else f"连续参加{k}年的专家当年不得入选"


RULE = MaxConsecutiveYears()
