"""Rule `eligibility`: available, rank ≥ min_rank, and not barred by any barring rule
(`max_consecutive_years`, `max_age`); the barring rules are given by the registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from solver.contract import RANK_LEVEL, Expert, Package
from solver.rules.base import Rule, Supply, Violation, fix_out
from solver.settings import MIN_RANK


class Eligibility(Rule):
    id = "eligibility"
    title_zh = "评委和备选专家须可参加、职称级别不低于规定级别且未因连续任职受限"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审专家应当具备相应层级的职称，"
        "从评审专家库中随机抽取"
    )
    verified = False  # a summary of the order, see rule-sources.md
    params = (MIN_RANK,)

    def __init__(self, barring: Sequence[Rule] = ()) -> None:
        self.barring = tuple(barring)

    def reason(self, pkg: Package, expert: Expert) -> str | None:
        """Why an expert may not sit (plain reading of the contract), or None."""
        if not expert.available:
            return "不可参加（available 为 false）"
        if RANK_LEVEL[expert.rank] < RANK_LEVEL[pkg.rules.min_rank]:
            return f"职称为{expert.rank}，低于要求的{pkg.rules.min_rank}"
        for rule in self.barring:
            why = rule.bar_reason(pkg, expert) if rule.applies(pkg) else None
            if why is not None:
                return why
        return None

    def mask(self, pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
        """Vectorised eligibility: the engine's pruning before any model is built."""
        level = np.array([RANK_LEVEL[e.rank] for e in experts], dtype=np.int8)
        avail = np.array([e.available for e in experts], dtype=bool)
        ok = avail & (level >= RANK_LEVEL[pkg.rules.min_rank])
        for rule in self.barring:
            if rule.applies(pkg):
                ok &= ~rule.barred_mask(pkg, experts)
        return ok

    def rows(self, feat: Any) -> list[Any]:
        # Eligibility is the choice of variables: the ineligible are pruned, no rows.
        return []

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        out = []
        for mid in sorted(set(members)):
            expert = pkg.expert_by_id.get(mid)
            if expert is None:
                out.append(Violation(self.id, f"专家“{mid}”不在抽取包的专家库中"))
                continue
            reason = self.reason(pkg, expert)
            if reason is not None:
                out.append(Violation(self.id, f"专家“{mid}”不符合条件：{reason}"))
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        return fix_out(ctx, ~ctx.feat.rank_ok)  # the barring rules add their own

    def supply(self, s: Supply) -> list[Violation]:
        n, have = s.pkg.rules.panel_size, len(s.eligible)
        if have >= n:
            return []
        text = f"需要{n}名符合条件的专家，符合条件的专家只有{have}名{s.note}"
        return [Violation(self.id, text, n, have)]

    def describe(self, pkg: Package) -> str:
        return f"评委职称不低于{pkg.rules.min_rank}"
