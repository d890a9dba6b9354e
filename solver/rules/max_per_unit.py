"""Rule `max_per_unit`: no unit has more than max_per_unit members."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from solver.contract import Expert, Package, known_members
from solver.params import FormContext, Param, at_most_seats
from solver.reader import R
from solver.rules.base import PartitionCap, Rule, Supply, Violation

MAX_PER_UNIT: Param[int | None] = Param(
    key="max_per_unit",
    label_zh="同一单位评委上限",
    unit_zh="名",
    widget="optional_int",
    absent=None,
    null_is_absent=True,
    parse=lambda v, p: R.integer(v, p),
    default=lambda d: -(-d.seats // 5),
    form_order=50,
    form_min=1,
    form_check=at_most_seats,
    rule="max_per_unit",
)


def unit_capacity(eligible: list[Expert], cap: int) -> tuple[Counter[str], int]:
    """Experts per unit, and how many seats the unit cap lets them fill together."""
    per_unit = Counter(e.unit for e in eligible)
    return per_unit, sum(min(c, cap) for c in per_unit.values())


class MaxPerUnit(Rule):
    id = "max_per_unit"
    title_zh = "同一单位的评委不超过规定人数"
    clause = (
        "吉林省2013年评委会组建办法：评委按规定比例从不同来源单位产生"
        "（每单位上限为本系统默认设置：评委会人数的1/5，向上取整）"
    )
    params = (MAX_PER_UNIT,)

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        cap = MAX_PER_UNIT.of(pkg.rules)
        if cap is None:
            return []
        counts = Counter(e.unit for e in known_members(pkg, members))
        return [
            Violation(self.id, f"单位“{unit}”有{cnt}名评委，超过上限{cap}名", cap, cnt)
            for unit, cnt in sorted(counts.items())
            if cnt > cap
        ]

    def rows(self, feat: Any) -> list[Any]:
        cap = MAX_PER_UNIT.of(feat.pkg.rules)
        return [] if cap is None else [PartitionCap(self.id, feat.unit_code, cap)]

    def add_to_model(self, ctx: Any) -> list[Any]:
        cap = MAX_PER_UNIT.of(ctx.feat.pkg.rules)
        if cap is None:
            return []
        codes = ctx.feat.unit_code
        sizes = np.bincount(codes, minlength=len(ctx.feat.unit_names))
        return [
            ctx.model.add(ctx.total(codes == code) <= cap) for code in np.flatnonzero(sizes > cap)
        ]

    def supply(self, s: Supply) -> list[Violation]:
        cap = MAX_PER_UNIT.of(s.pkg.rules)
        n, elig = s.pkg.rules.panel_size, s.eligible
        if cap is None or len(elig) < n:
            return []
        per_unit, capacity = unit_capacity(elig, cap)
        if capacity >= n:
            return []
        top, top_count = min(per_unit.items(), key=lambda kv: (-kv[1], kv[0]))
        text = (
            f"每个单位最多{cap}名评委，符合条件的{len(elig)}名专家来自{len(per_unit)}个单位"
            f"（其中“{top}”有{top_count}名），最多只能组成{capacity}人，需要{n}人"
        )
        return [Violation(self.id, text, n, capacity)]

    def core_numbers(self, pkg: Package, eligible: list[Expert]) -> tuple[int | None, int | None]:
        cap = MAX_PER_UNIT.of(pkg.rules)
        if cap is None:
            return None, None
        return pkg.rules.panel_size, unit_capacity(eligible, cap)[1]

    def settings_problems(
        self, rules: Mapping[str, Any], seats: int, ctx: FormContext
    ) -> dict[str, str]:
        cap, pool = rules.get(self.id), ctx.pool_for(seats)
        if not isinstance(cap, int) or pool is None:
            return {}
        per_unit = Counter(e.unit for e in pool)
        capacity = sum(min(c, cap) for c in per_unit.values())
        if capacity >= seats:
            return {}
        text = (
            f"同一单位评委上限{cap}名，专家库中的{len(pool)}名专家来自{len(per_unit)}个单位，"
            f"最多只能组成{capacity}人，少于评委人数{seats}人，请调整"
        )
        return {self.id: text}

    def describe(self, pkg: Package) -> str:
        cap = MAX_PER_UNIT.of(pkg.rules)
        return "不限制同一单位人数" if cap is None else f"同一单位的评委不超过{cap}名"


RULE = MaxPerUnit()
