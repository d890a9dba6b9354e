"""Rule `min_group_members`: for every review group G (评议组) that at least one applicant
names, members listing at least one of `groups[G]` ≥ k (draw-format.md §1).

Off by default (k = 0). When it applies, every group an applicant names must be in the
package's `groups` (bad input otherwise); when it is off, `applicants[].group` is only
informational. A member counts for a group whether or not it recuses from some of the
group's applicants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from solver.contract import Expert, Package, known_members
from solver.errors import PackageError
from solver.params import FormContext, Param, at_most_seats
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation, group_minimums

MIN_GROUP_MEMBERS: Param[int] = Param(
    key="min_group_members",
    label_zh="每个评议组的本组专业评委人数",
    unit_zh="名",
    widget="optional_int",
    absent=0,
    null_is_absent=True,
    parse=lambda v, p: R.integer(v, p),
    default=lambda d: None,  # off: the number is ours, the notice gives none
    form_order=105,
    form_check=at_most_seats,
    rule="min_group_members",
)


def named_groups(pkg: Package) -> list[str]:
    """The review groups that at least one applicant names, sorted."""
    return sorted({a.group for a in pkg.applicants if a.group is not None})


def group_specialties(pkg: Package, group: str) -> tuple[str, ...]:
    return dict(pkg.groups).get(group, ())


def _wants(pkg: Package) -> list[tuple[str, int]]:
    want = MIN_GROUP_MEMBERS.of(pkg.rules)
    return [(g, want) for g in named_groups(pkg)] if want > 0 else []


def _belongs(pkg: Package) -> Any:
    specs = {g: set(s) for g, s in pkg.groups}

    def belongs(expert: Expert, group: str) -> bool:
        return not specs.get(group, set()).isdisjoint(expert.specialties)

    return belongs


class MinGroupMembers(Rule):
    id = "min_group_members"
    title_zh = "每个评议组至少有规定人数的本组专业评委"
    clause = (
        "人社部令第40号《职称评审管理暂行规定》：评审委员会可以按照专业设立评议组；"
        "大人社发〔2024〕45号 二(二)：高技能人才单独分组、单独评审"
        "（每组人数为本系统默认设置：默认不要求）"
    )
    params = (MIN_GROUP_MEMBERS,)

    def applies(self, pkg: Package) -> bool:
        return MIN_GROUP_MEMBERS.of(pkg.rules) > 0

    def validate(self, pkg: Package) -> None:
        if not self.applies(pkg):
            return
        known = {g for g, _ in pkg.groups}
        for app in pkg.applicants:
            if app.group is not None and app.group not in known:
                raise PackageError(
                    f"applicants.group：申报人“{app.id}”的评议组“{app.group}”不在 groups 中"
                    f"（适用规则“{self.title_zh}”（{self.id}）时每个评议组都须列出其专业）",
                    field="groups",
                )

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        return group_minimums(
            self.id,
            _wants(pkg),
            known_members(pkg, members),
            _belongs(pkg),
            lambda g, want, have: f"评议组“{g}”需要至少{want}名本组专业的评委，只有{have}名",
        )

    def _mask(self, feat: Any, group: str) -> np.ndarray:
        mask = np.zeros(feat.m, dtype=bool)
        for spec in group_specialties(feat.pkg, group):
            mask |= feat.spec_mask(spec)
        return mask

    def rows(self, feat: Any) -> list[Any]:
        return [
            Row(f"{self.id}:{g}", self._mask(feat, g), want, feat.n) for g, want in _wants(feat.pkg)
        ]

    def add_to_model(self, ctx: Any) -> list[Any]:
        return [
            ctx.model.add(ctx.total(self._mask(ctx.feat, g)) >= want)
            for g, want in _wants(ctx.feat.pkg)
        ]

    def supply(self, s: Supply) -> list[Violation]:
        return group_minimums(
            self.id,
            _wants(s.pkg),
            s.eligible,
            _belongs(s.pkg),
            lambda g, want, have: (
                f"评议组“{g}”需要至少{want}名本组专业的评委，符合条件的本组专业专家只有"
                f"{have}名{s.note}"
            ),
        )

    def core_numbers(self, pkg: Package, eligible: list[Expert]) -> tuple[int | None, int | None]:
        wants = _wants(pkg)
        if not wants:
            return None, None
        belongs = _belongs(pkg)
        have = min(sum(1 for e in eligible if belongs(e, g)) for g, _ in wants)
        return wants[0][1], have

    def settings_problems(
        self, rules: Mapping[str, Any], seats: int, ctx: FormContext
    ) -> dict[str, str]:
        return {}

    def describe(self, pkg: Package) -> str:
        k = MIN_GROUP_MEMBERS.of(pkg.rules)
        return f"每个评议组至少有{k}名本组专业的评委" if k > 0 else "评议组人数：不限"


RULE = MinGroupMembers()
