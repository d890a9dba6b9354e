"""Rule `min_specialist_voters`: per applicant, non-conflicted members of its specialty ≥ k."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solver.contract import Applicant, Package, conflicted, known_members
from solver.params import Param, at_most_seats
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation, per_applicant

MIN_SPECIALIST_VOTERS: Param[int] = Param(
    key="min_specialist_voters",
    label_zh="同专业表决评委人数",
    unit_zh="名",
    widget="int",
    absent=0,
    parse=lambda v, p: R.integer(v, p),
    default=lambda d: 1,
    form_order=100,
    form_check=at_most_seats,
    rule="min_specialist_voters",
)


class MinSpecialistVoters(Rule):
    id = "min_specialist_voters"
    title_zh = "每名申报人至少有规定人数的无回避本专业评委"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审专家按专业从专家库中抽取，"
        "评审中与申报人有利害关系的专家应当回避（人数为本系统默认设置）"
    )
    params = (MIN_SPECIALIST_VOTERS,)

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        want = MIN_SPECIALIST_VOTERS.of(pkg.rules)
        if want <= 0:
            return []
        experts = known_members(pkg, members)
        out = []
        for app in pkg.applicants:
            have = sum(
                1 for e in experts if app.specialty in e.specialties and not conflicted(pkg, e, app)
            )
            if have < want:
                out.append(
                    Violation(
                        self.id,
                        f"申报人“{app.id}”（专业“{app.specialty}”）需要至少{want}名无回避的"
                        f"本专业评委，只有{have}名",
                        want,
                        have,
                    )
                )
        return out

    def rows(self, feat: Any) -> list[Any]:
        want = MIN_SPECIALIST_VOTERS.of(feat.pkg.rules)
        if want <= 0:
            return []
        out = []
        for spec, idx, apps in feat.specialist_groups:
            mask = feat.spec_mask(spec).copy()
            mask[list(idx)] = False
            out.append(Row(f"{self.id}:{apps[0]}", mask, want, feat.n))
        return out

    def add_to_model(self, ctx: Any) -> list[Any]:
        feat = ctx.feat
        want = MIN_SPECIALIST_VOTERS.of(feat.pkg.rules)
        if want <= 0:
            return []
        out = []
        # One constraint per distinct (specialty, conflicted set); written as the specialty's
        # total minus its few conflicted members so each constraint stays short.
        for spec, idx, _apps in feat.specialist_groups:
            spec_mask = feat.spec_mask(spec)
            inside = [i for i in idx if spec_mask[i]]
            expr = ctx.spec_total(spec) - sum(ctx.x[i] for i in inside)
            out.append(ctx.model.add(expr >= want))
        return out

    def supply(self, s: Supply) -> list[Violation]:
        want = MIN_SPECIALIST_VOTERS.of(s.pkg.rules)
        if want <= 0:
            return []

        def count(app: Applicant) -> int:
            return s.free_count(app, app.specialty)

        def text(app: Applicant, want: int, have: int) -> str:
            return (
                f"申报人“{app.id}”（专业“{app.specialty}”）需要至少{want}名无回避的本专业评委，"
                f"符合条件的只有{have}名"
            )

        return per_applicant(s, self.id, want, count, text)

    def describe(self, pkg: Package) -> str:
        k = MIN_SPECIALIST_VOTERS.of(pkg.rules)
        return f"每名申报人至少有{k}名无回避的本专业评委"


RULE = MinSpecialistVoters()
