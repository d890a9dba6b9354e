"""Default rules for a meeting, each with the clause it rests on (for the web UI)."""

from __future__ import annotations

import math
from typing import Any

from solver.rules import ALL

SENIOR_SEATS = 25
SENIOR_NARROW_SEATS = 11
INTERMEDIATE_SEATS = 11
BIG_SPECIALTY = 20

# Settings that are not rules of their own in the contract registry.
_EXTRA_SOURCES: dict[str, tuple[str, str]] = {
    "alternates": (
        "抽取备选专家，评委不能参加时按顺序替换（25人评委会5名，11人评委会3名）",
        "财库〔2016〕198号：评审专家缺席时应补抽；此前的采购评审规定要求至少2名排序备选专家"
        "（人数为本系统默认设置）",
    ),
    "min_rank": (
        "评委职称不低于规定级别：高级评委会为副高级，中级评委会为中级",
        "人社部令第40号《职称评审管理暂行规定》：评审专家应当具备相应层级的职称",
    ),
    "recuse_same_unit": (
        "与申报人同单位的评委回避该申报人的评议和表决",
        "财库〔2016〕198号 第十六条：评审专家与参加者存在劳动关系（三年内）等利害关系的应当回避"
        "（用于职称评审为本系统默认设置）",
    ),
}

RULE_SOURCES: dict[str, tuple[str, str]] = {
    **{rule.id: (rule.title_zh, rule.clause) for rule in ALL},
    **_EXTRA_SOURCES,
}


def default_rules(
    level: str, seats: int | None, specialties_with_applicants: dict[str, int], narrow: bool
) -> dict[str, Any]:
    """The `rules` object of a draw package, filled with the system's defaults.

    `level` is "senior" or "intermediate"; `seats` overrides the panel size (odd, ≥ 3);
    `specialties_with_applicants` maps specialty → number of applicants; `narrow` marks a
    senior committee formed on one or two specialties (11 seats instead of 25).
    """
    if level not in ("senior", "intermediate"):
        raise ValueError(f"level：未知评委会级别“{level}”（应为 senior/intermediate）")
    if seats is None:
        if level == "senior":
            seats = SENIOR_NARROW_SEATS if narrow else SENIOR_SEATS
        else:
            seats = INTERMEDIATE_SEATS
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 3 or seats % 2 == 0:
        raise ValueError(f"seats：评委会人数应为不小于3的单数，实际为{seats}")
    senior = level == "senior"
    demand = {
        spec: (3 if count >= BIG_SPECIALTY else 1)
        for spec, count in sorted(specialties_with_applicants.items())
        if count > 0
    }
    return {
        "panel_size": seats,
        "alternates": 3 if seats <= SENIOR_NARROW_SEATS else 5,
        "min_rank": "副高级" if senior else "中级",
        "min_full_senior_share": "1/2" if senior else "1/5",
        "max_per_unit": math.ceil(seats / 5),
        "min_per_unit_kind": {},
        "specialty_demand": demand,
        "recuse_same_unit": True,
        "min_voters_share": "2/3",
        "min_specialist_voters": 1,
        "max_consecutive_years": 3,
    }
