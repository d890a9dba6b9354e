"""Rule `eligibility`: available, rank ≥ min_rank, not barred by max_consecutive_years."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.package import RANKS, Expert, Package
from solver.rules.base import Rule, Violation

_LEVEL = {name: i for i, name in enumerate(RANKS)}


def ineligibility_reason(pkg: Package, expert: Expert) -> str | None:
    """Why an expert may not sit (plain reading of the contract), or None."""
    if not expert.available:
        return "不可参加（available 为 false）"
    if _LEVEL[expert.rank] < _LEVEL[pkg.rules.min_rank]:
        return f"职称为{expert.rank}，低于要求的{pkg.rules.min_rank}"
    k = pkg.rules.max_consecutive_years
    if k is not None:
        year = pkg.meeting.year
        if all(year - j in expert.served for j in range(1, k + 1)):
            return f"已连续{k}年（{year - k}–{year - 1}）参加本评委会"
    return None


class Eligibility(Rule):
    id = "eligibility"
    title_zh = "评委和备选专家须可参加、职称级别不低于规定级别且未因连续任职受限"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审专家应当具备相应层级的职称，"
        "从评审专家库中随机抽取"
    )

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        out = []
        for mid in sorted(set(members)):
            expert = pkg.expert_by_id.get(mid)
            if expert is None:
                out.append(Violation(self.id, f"专家“{mid}”不在抽取包的专家库中"))
                continue
            reason = ineligibility_reason(pkg, expert)
            if reason is not None:
                out.append(Violation(self.id, f"专家“{mid}”不符合条件：{reason}"))
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        bad = np.flatnonzero(~ctx.feat.rank_ok)
        return [ctx.model.add(ctx.x[int(i)] == 0) for i in bad]

    def describe(self, pkg: Package) -> str:
        return f"评委职称不低于{pkg.rules.min_rank}"


RULE = Eligibility()
