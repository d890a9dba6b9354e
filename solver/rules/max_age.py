"""Rule `max_age`: an expert whose age (周岁 on the first day of the meeting window) is above
the cap is not eligible; a member or alternate above it breaks `eligibility` and `max_age`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.contract import Expert, Package, age_day, age_on, known_members
from solver.params import Param
from solver.reader import R
from solver.rules.base import Rule, Violation, fix_out, require_birth_dates

MAX_AGE: Param[int | None] = Param(
    key="max_age",
    label_zh="专家年龄上限",
    unit_zh="周岁",
    widget="optional_int",
    absent=None,
    null_is_absent=True,
    parse=lambda v, p: R.integer(v, p, minimum=30, maximum=100),
    default=lambda d: None,  # off: no Liaoning text found
    form_order=120,
    form_min=30,
    form_max=100,
    rule="max_age",
)


class MaxAge(Rule):
    id = "max_age"
    title_zh = "年龄超过上限的专家不得入选"
    clause = (
        "多地评审专家库管理办法：评审专家年龄一般不超过规定周岁（常见65或70周岁）"
        "（未找到辽宁省的规定，为本系统默认设置：默认不限）"
    )
    verified = False
    params = (MAX_AGE,)
    needs_birth_dates = True
    bars = True

    def applies(self, pkg: Package) -> bool:
        return MAX_AGE.of(pkg.rules) is not None

    def validate(self, pkg: Package) -> None:
        if self.applies(pkg):
            require_birth_dates(pkg, self)

    def _over(self, pkg: Package, expert: Expert) -> int | None:
        """The expert's age when above the cap, else None."""
        cap = MAX_AGE.of(pkg.rules)
        if cap is None or expert.birth_date is None:
            return None
        age = age_on(expert.birth_date, age_day(pkg))
        return age if age > cap else None

    def bar_reason(self, pkg: Package, expert: Expert) -> str | None:
        age = self._over(pkg, expert)
        return None if age is None else f"{age}周岁，超过年龄上限{MAX_AGE.of(pkg.rules)}周岁"

    def barred_mask(self, pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
        if not self.applies(pkg):
            return np.zeros(len(experts), dtype=bool)
        return np.array([self._over(pkg, e) is not None for e in experts], dtype=bool)

    def exclusion_note(self, count: int) -> str:
        return f"另有{count}名专家因年龄超过上限被排除"

    def rows(self, feat: Any) -> list[Any]:
        # Part of eligibility: over-age experts are pruned before any row system.
        return []

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        out = []
        for expert in sorted(known_members(pkg, members), key=lambda e: e.id):
            why = self.bar_reason(pkg, expert)
            if why is not None:
                out.append(Violation(self.id, f"专家“{expert.id}”{why}，不得入选"))
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        return fix_out(ctx, self.barred_mask(ctx.feat.pkg, ctx.feat.experts))

    def describe(self, pkg: Package) -> str:
        cap = MAX_AGE.of(pkg.rules)
        return "不限制专家年龄" if cap is None else f"专家年龄不超过{cap}周岁"


RULE = MaxAge()
