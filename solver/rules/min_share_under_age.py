"""Rule `min_share_under_age`: members younger than `age` (周岁 on the first day of the
meeting window) ≥ need(share)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from solver.contract import Expert, Package, age_day, age_on, fraction_text, known_members
from solver.exact import need
from solver.params import Param
from solver.reader import R
from solver.rules.base import Row, Rule, Supply, Violation, require_birth_dates


class AgeShare(NamedTuple):
    age: int
    share: Fraction


def parse_age_share(value: object, path: str) -> AgeShare:
    obj = R.obj(value, path)
    age = R.integer(R.require(obj, "age", f"{path}.age"), f"{path}.age", minimum=30, maximum=100)
    share = R.fraction(R.require(obj, "share", f"{path}.share"), f"{path}.share")
    return AgeShare(age, share)


MIN_SHARE_UNDER_AGE: Param[AgeShare | None] = Param(
    key="min_share_under_age",
    label_zh="中青年评委比例",
    widget="age_share",
    absent=None,
    null_is_absent=True,
    parse=parse_age_share,
    default=lambda d: None,  # off: the source binds one other province only
    form_order=130,
    form_min=30,
    form_max=100,
    rule="min_share_under_age",
)


class MinShareUnderAge(Rule):
    id = "min_share_under_age"
    title_zh = "中青年评委人数不少于规定比例"
    clause = (
        "某省2011年评审委员会组建规定：中青年（55岁以下）专业技术骨干要占评委的二分之一以上"
        "（仅对该省核实，为本系统默认设置：默认不适用）"
    )
    verified = True  # for that province only
    params = (MIN_SHARE_UNDER_AGE,)
    needs_birth_dates = True

    def applies(self, pkg: Package) -> bool:
        return MIN_SHARE_UNDER_AGE.of(pkg.rules) is not None

    def validate(self, pkg: Package) -> None:
        if self.applies(pkg):
            require_birth_dates(pkg, self)

    def _setting(self, pkg: Package) -> tuple[int, int]:
        """(age limit, members needed below it); (0, 0) when off."""
        rule = MIN_SHARE_UNDER_AGE.of(pkg.rules)
        if rule is None:
            return 0, 0
        return rule.age, need(rule.share, pkg.rules.panel_size)

    def _young(self, pkg: Package, experts: Sequence[Expert], age: int) -> list[bool]:
        day = age_day(pkg)
        return [e.birth_date is not None and age_on(e.birth_date, day) < age for e in experts]

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        age, want = self._setting(pkg)
        if want <= 0:
            return []
        have = sum(self._young(pkg, known_members(pkg, members), age))
        if have >= want:
            return []
        text = f"需要至少{want}名{age}岁以下评委，评委会中只有{have}名"
        return [Violation(self.id, text, want, have)]

    def _mask(self, feat: Any, age: int) -> np.ndarray:
        return np.array(self._young(feat.pkg, feat.experts, age), dtype=bool)

    def rows(self, feat: Any) -> list[Any]:
        age, want = self._setting(feat.pkg)
        return [Row(self.id, self._mask(feat, age), want, feat.n)] if want > 0 else []

    def add_to_model(self, ctx: Any) -> list[Any]:
        age, want = self._setting(ctx.feat.pkg)
        if want <= 0:
            return []
        return [ctx.model.add(ctx.total(self._mask(ctx.feat, age)) >= want)]

    def supply(self, s: Supply) -> list[Violation]:
        age, want = self._setting(s.pkg)
        have = sum(self._young(s.pkg, s.eligible, age)) if want > 0 else 0
        if have >= want:
            return []
        text = f"需要至少{want}名{age}岁以下评委，符合条件的只有{have}名{s.note}"
        return [Violation(self.id, text, want, have)]

    def core_numbers(self, pkg: Package, eligible: list[Expert]) -> tuple[int | None, int | None]:
        age, want = self._setting(pkg)
        return want, sum(self._young(pkg, eligible, age))

    def describe(self, pkg: Package) -> str:
        rule = MIN_SHARE_UNDER_AGE.of(pkg.rules)
        if rule is None:
            return "不限制中青年评委人数"
        age, want = self._setting(pkg)
        return f"{age}岁以下（未满{age}周岁）评委不少于{fraction_text(rule.share)}，即至少{want}名"


RULE = MinShareUnderAge()
