"""Settings of the `rules` object that every part of the engine reads, declared as parameters.

Declared here rather than in their rules' modules because solver/contract.py reads them
(`Rules` properties, the conflict test). `panel_size` and `min_rank` are required; `alternates` and `recuse_same_unit` are settings
rather than rules of their own (they change what the rules measure). The rules that use them
are `panel_size`, `eligibility`, the alternates draw and the conflict test
(solver/contract.py `conflicted`).
"""

from __future__ import annotations

from solver.errors import PackageError
from solver.params import (
    INTERMEDIATE_SEATS,
    RANK_LEVEL,
    RANKS,
    SENIOR_NARROW_SEATS,
    SENIOR_SEATS,
    Param,
)
from solver.reader import R, shown

PANEL_SIZE_TITLE = "评委会人数"


def parse_panel_size(value: object, path: str) -> int:
    n = R.integer(value, path)
    if n < 3 or n % 2 == 0:
        raise PackageError(f"{path}：评委会人数应为不小于3的单数，实际为{n}", field=path)
    return n


def parse_rank(value: object, path: str) -> str:
    if not isinstance(value, str) or value not in RANK_LEVEL:
        raise PackageError(
            f"{path}：未知职称级别“{shown(value)}”（应为 {'/'.join(RANKS)}）", field=path
        )
    return value


def default_seats(level: str, narrow: bool) -> int:
    if level == "senior":
        return SENIOR_NARROW_SEATS if narrow else SENIOR_SEATS
    return INTERMEDIATE_SEATS


PANEL_SIZE: Param[int] = Param(
    key="panel_size",
    label_zh="评委人数",
    unit_zh="人",
    widget="odd_int",
    absent=0,
    required=True,
    parse=parse_panel_size,
    default=lambda d: d.seats,
    form_order=10,
    form_min=3,
    form_max=99,
    rule="panel_size",
)

ALTERNATES: Param[int] = Param(
    key="alternates",
    label_zh="备选专家人数",
    unit_zh="名",
    widget="int",
    absent=0,
    parse=lambda v, p: R.integer(v, p),
    default=lambda d: 3 if d.seats <= SENIOR_NARROW_SEATS else 5,
    form_order=20,
    form_max=30,
    rule="alternates",
)

MIN_RANK: Param[str] = Param(
    key="min_rank",
    label_zh="最低职称",
    widget="rank",
    absent="",
    required=True,
    parse=parse_rank,
    default=lambda d: "副高级" if d.senior else "中级",
    form_order=30,
    rule="eligibility",
)

RECUSE_SAME_UNIT: Param[bool] = Param(
    key="recuse_same_unit",
    label_zh="同单位回避",
    widget="bool",
    absent=False,
    parse=lambda v, p: R.boolean(v, p),
    default=lambda d: True,
    form_order=80,
    rule="recuse_same_unit",
)

# Titles and clauses of the settings that are not rules of their own (for the web UI).
SOURCES: dict[str, tuple[str, str]] = {
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
