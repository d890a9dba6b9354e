"""Rule `panel_size`: exactly n distinct members, n odd and ≥ 3."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solver.contract import Expert, Package
from solver.rules.base import Rule, Violation
from solver.settings import PANEL_SIZE


class PanelSize(Rule):
    id = "panel_size"
    title_zh = "评委会由规定人数的不同专家组成，人数为不少于3的单数"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：职称评审委员会组成人员应当是单数；"
        "按照系列组建的高级职称评审委员会评审专家不少于25人，按照专业组建的不少于11人"
    )
    params = (PANEL_SIZE,)

    def rows(self, feat: Any) -> list[Any]:
        # The row system checks the size itself (exactly n members); §6 names its two
        # rows in solver/cert/named.py.
        return []

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        n = pkg.rules.panel_size
        out = []
        if n < 3 or n % 2 == 0:
            out.append(Violation(self.id, f"规定人数{n}不是不少于3的单数", need=3, have=n))
        distinct = len(set(members))
        if distinct != len(members):
            out.append(
                Violation(self.id, f"名单中有重复的专家（{len(members)}人次，{distinct}人）")
            )
        if distinct != n:
            out.append(
                Violation(self.id, f"评委会应为{n}人，实际为{distinct}人", need=n, have=distinct)
            )
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        return [ctx.model.add(ctx.total_all() == ctx.n)]

    def core_numbers(self, pkg: Package, eligible: list[Expert]) -> tuple[int | None, int | None]:
        return pkg.rules.panel_size, len(eligible)

    def describe(self, pkg: Package) -> str:
        return f"评委会人数为{pkg.rules.panel_size}人"


RULE = PanelSize()
