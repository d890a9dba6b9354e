"""Rule `max_per_unit`: no unit has more than max_per_unit members."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.package import Package
from solver.rules.base import PartitionCap, Rule, Violation, known_members


class MaxPerUnit(Rule):
    id = "max_per_unit"
    title_zh = "同一单位的评委不超过规定人数"
    clause = (
        "吉林省2013年评委会组建办法：评委按规定比例从不同来源单位产生"
        "（每单位上限为本系统默认设置：评委会人数的1/5，向上取整）"
    )

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        cap = pkg.rules.max_per_unit
        if cap is None:
            return []
        counts = Counter(e.unit for e in known_members(pkg, members))
        return [
            Violation(self.id, f"单位“{unit}”有{cnt}名评委，超过上限{cap}名", cap, cnt)
            for unit, cnt in sorted(counts.items())
            if cnt > cap
        ]

    def rows(self, feat: Any) -> list[Any]:
        cap = feat.pkg.rules.max_per_unit
        return [] if cap is None else [PartitionCap(self.id, feat.unit_code, cap)]

    def add_to_model(self, ctx: Any) -> list[Any]:
        cap = ctx.feat.pkg.rules.max_per_unit
        if cap is None:
            return []
        codes = ctx.feat.unit_code
        sizes = np.bincount(codes, minlength=len(ctx.feat.unit_names))
        out = []
        for code in np.flatnonzero(sizes > cap):
            out.append(ctx.model.add(ctx.total(codes == code) <= cap))
        return out

    def describe(self, pkg: Package) -> str:
        cap = pkg.rules.max_per_unit
        return "不限制同一单位人数" if cap is None else f"同一单位的评委不超过{cap}名"


RULE = MaxPerUnit()
