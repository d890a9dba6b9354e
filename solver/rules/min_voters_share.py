"""Rule `min_voters_share`: for every applicant, non-conflicted members ≥ need(share)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from solver.contract import Applicant, Package, conflicted, fraction_text, known_members
from solver.exact import need
from solver.params import Param
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation, per_applicant

MIN_VOTERS_SHARE: Param[Fraction] = Param(
    key="min_voters_share",
    label_zh="表决评委占比",
    widget="fraction",
    absent=Fraction(0),
    parse=R.fraction,
    default=lambda d: "2/3",
    form_order=90,
    rule="min_voters_share",
)


class MinVotersShare(Rule):
    id = "min_voters_share"
    title_zh = "每名申报人的无回避评委不少于规定比例"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审会议须有三分之二以上评审专家出席，"
        "同意票数达到出席专家总数三分之二以上方为通过；财库〔2016〕198号第十六条：评审专家"
        "与参加者存在利害关系的应当回避"
    )
    params = (MIN_VOTERS_SHARE,)

    def _need(self, pkg: Package) -> int:
        return need(MIN_VOTERS_SHARE.of(pkg.rules), pkg.rules.panel_size)

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        want = self._need(pkg)
        if want <= 0:
            return []
        experts = known_members(pkg, members)
        out = []
        for app in pkg.applicants:
            voters = sum(1 for e in experts if not conflicted(pkg, e, app))
            if voters < want:
                out.append(
                    Violation(
                        self.id,
                        f"申报人“{app.id}”需要至少{want}名无回避评委，只有{voters}名",
                        want,
                        voters,
                    )
                )
        return out

    def _limit(self, feat: Any) -> int:
        return int(feat.n) - self._need(feat.pkg)

    def rows(self, feat: Any) -> list[Any]:
        if self._need(feat.pkg) <= 0:
            return []
        limit = self._limit(feat)
        out = []
        for idx, apps in feat.voter_groups:
            if len(idx) > limit:
                mask = np.zeros(feat.m, dtype=bool)
                mask[list(idx)] = True
                out.append(Row(f"{self.id}:{apps[0]}", mask, 0, limit))
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        feat = ctx.feat
        if self._need(feat.pkg) <= 0:
            return []
        limit = self._limit(feat)
        # An upper bound on the few conflicted members, not a lower bound on the many others.
        return [
            ctx.model.add(sum(ctx.x[i] for i in idx) <= limit)
            for idx, _apps in feat.voter_groups
            if len(idx) > limit
        ]

    def supply(self, s: Supply) -> list[Violation]:
        want = self._need(s.pkg)
        if want <= 0:
            return []

        def count(app: Applicant) -> int:
            return s.free_count(app)

        def text(app: Applicant, want: int, have: int) -> str:
            return (
                f"申报人“{app.id}”需要至少{want}名无回避评委，符合条件且无需回避的专家只有{have}名"
            )

        return per_applicant(s, self.id, want, count, text)

    def describe(self, pkg: Package) -> str:
        share = fraction_text(MIN_VOTERS_SHARE.of(pkg.rules))
        return f"每名申报人的无回避评委不少于{share}，即至少{self._need(pkg)}名"


RULE = MinVotersShare()
