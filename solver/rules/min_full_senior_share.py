"""Rule `min_full_senior_share`: members of rank 正高级 ≥ need(share)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solver.exact import need
from solver.package import Package
from solver.rules.base import Row, Rule, Violation, known_members


class MinFullSeniorShare(Rule):
    id = "min_full_senior_share"
    title_zh = "正高级专家人数不少于规定比例"
    clause = (
        "大人社发〔2024〕45号 一(二)：部分评委会评委级别比例不足，优先补充正高级专家"
        "（所需比例未找到规定，为本系统默认设置：高级1/2，中级1/5）"
    )

    def _need(self, pkg: Package) -> int:
        return need(pkg.rules.min_full_senior_share, pkg.rules.panel_size)

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        want = self._need(pkg)
        have = sum(1 for e in known_members(pkg, members) if e.rank == "正高级")
        if have >= want:
            return []
        return [Violation(self.id, f"需要至少{want}名正高级专家，评委会中只有{have}名", want, have)]

    def rows(self, feat: Any) -> list[Any]:
        want = self._need(feat.pkg)
        return [Row(self.id, feat.full_senior, want, feat.n)] if want > 0 else []

    def add_to_model(self, ctx: Any) -> list[Any]:
        want = self._need(ctx.feat.pkg)
        if want <= 0:
            return []
        return [ctx.model.add(ctx.total(ctx.feat.full_senior) >= want)]

    def describe(self, pkg: Package) -> str:
        share = pkg.rules.min_full_senior_share
        return f"正高级专家不少于{share.numerator}/{share.denominator}，即至少{self._need(pkg)}名"


RULE = MinFullSeniorShare()
