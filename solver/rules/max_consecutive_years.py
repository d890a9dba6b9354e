"""Rule `max_consecutive_years`: who served in every one of Y-k … Y-1 is barred in Y."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.contract import Expert, Package, known_members
from solver.params import Param
from solver.reader import R
from solver.rules.base import Rule, Violation, fix_out

MAX_CONSECUTIVE_YEARS: Param[int | None] = Param(
    key="max_consecutive_years",
    label_zh="连续任职年数上限",
    unit_zh="年",
    widget="optional_int",
    absent=None,
    null_is_absent=True,
    parse=lambda v, p: R.integer(v, p, minimum=1),
    default=lambda d: 3,
    form_order=110,
    form_min=1,
    form_max=20,
    rule="max_consecutive_years",
)


class MaxConsecutiveYears(Rule):
    id = "max_consecutive_years"
    title_zh = "连续参加本评委会达到规定年数的专家当年不得入选"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审专家每届任期不超过3年"
        "（连续年数上限为本系统默认设置）"
    )
    params = (MAX_CONSECUTIVE_YEARS,)
    bars = True

    def _years(self, pkg: Package) -> range | None:
        k = MAX_CONSECUTIVE_YEARS.of(pkg.rules)
        return None if k is None else range(pkg.meeting.year - k, pkg.meeting.year)

    def bar_reason(self, pkg: Package, expert: Expert) -> str | None:
        years = self._years(pkg)
        if years is None or not all(y in expert.served for y in years):
            return None
        return f"已连续{len(years)}年（{years[0]}–{years[-1]}）参加本评委会"

    def barred_mask(self, pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
        years = self._years(pkg)
        if years is None:
            return np.zeros(len(experts), dtype=bool)
        window = set(years)
        return np.array([window <= e.served for e in experts], dtype=bool)

    def exclusion_note(self, count: int) -> str:
        return f"另有{count}名专家因连续任职年限被排除"

    def rows(self, feat: Any) -> list[Any]:
        # Part of eligibility: barred experts are pruned before any row system.
        return []

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        years = self._years(pkg)
        if years is None:
            return []
        year = pkg.meeting.year
        out = []
        for expert in sorted(known_members(pkg, members), key=lambda e: e.id):
            if all(y in expert.served for y in years):
                out.append(
                    Violation(
                        self.id,
                        f"专家“{expert.id}”已连续{len(years)}年（{year - len(years)}–{year - 1}）"
                        f"参加本评委会，{year}年不得入选",
                    )
                )
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        return fix_out(ctx, self.barred_mask(ctx.feat.pkg, ctx.feat.experts))

    def describe(self, pkg: Package) -> str:
        k = MAX_CONSECUTIVE_YEARS.of(pkg.rules)
        return "不限制连续任职年数" if k is None else f"连续参加{k}年的专家当年不得入选"


RULE = MaxConsecutiveYears()
