"""Rule `min_full_senior_share`: members of rank 正高级 ≥ need(share)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from solver.contract import Expert, Package, fraction_text, known_members
from solver.exact import need
from solver.params import Param
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation

MIN_FULL_SENIOR_SHARE: Param[Fraction] = Param(
    key="min_full_senior_share",
    label_zh="正高级占比",
    widget="fraction",
    absent=Fraction(0),
    parse=R.fraction,
    default=lambda d: "1/2" if d.senior else "1/5",
    form_order=40,
    rule="min_full_senior_share",
)


class MinFullSeniorShare(Rule):
    id = "min_full_senior_share"
    title_zh = "正高级专家人数不少于规定比例"
    clause = (
        "大人社发〔2024〕45号 一(二)：部分评委会评委级别比例不足，优先补充正高级专家"
        "（所需比例未找到规定，为本系统默认设置：高级1/2，中级1/5）"
    )
    params = (MIN_FULL_SENIOR_SHARE,)

    def _need(self, pkg: Package) -> int:
        return need(MIN_FULL_SENIOR_SHARE.of(pkg.rules), pkg.rules.panel_size)

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

    def supply(self, s: Supply) -> list[Violation]:
        want = self._need(s.pkg)
        have = sum(1 for e in s.eligible if e.rank == "正高级")
        if have >= want:
            return []
        text = f"需要至少{want}名正高级专家，符合条件的正高级专家只有{have}名{s.note}"
        return [Violation(self.id, text, want, have)]

    def core_numbers(self, pkg: Package, eligible: list[Expert]) -> tuple[int | None, int | None]:
        return self._need(pkg), sum(1 for e in eligible if e.rank == "正高级")

    def describe(self, pkg: Package) -> str:
        share = fraction_text(MIN_FULL_SENIOR_SHARE.of(pkg.rules))
        return f"正高级专家不少于{share}，即至少{self._need(pkg)}名"


RULE = MinFullSeniorShare()
