"""The optional applicant columns of the import sheet: 申报级别, 高技能人才, 职业技能等级,
评审分组 (大人社发〔2024〕45号 二(二)、附件3 一.2: 高技能人才按专业分类统计、单独分组、单独评审).

They follow the five original columns in this order; a sheet may carry any leading part of
them (so templates made before they existed still import)."""

from __future__ import annotations

from typing import Any

from expertpool.models import Applicant
from expertpool.spreadsheet import CellProblem, cell_text, guarded_rows

OPTIONAL_HEADERS = ["申报级别", "高技能人才", "职业技能等级", "评审分组"]
OPTIONAL_WIDTHS = [12, 12, 16, 16]
APPLY_LEVELS = ("正高级", "副高级", "中级")
YES, NO = "是", "否"
MAX_TEXT = {"职业技能等级": 20, "评审分组": 40}


def optional_headers(ws: Any, base: int) -> list[str]:
    """The optional headers the sheet's first row carries after the `base` original ones."""
    first = next(guarded_rows(ws, max_row=1), ())
    texts = []
    for cell in first[base:]:
        try:
            texts.append(cell_text(cell).rstrip("*＊"))
        except CellProblem:
            texts.append("?")
    while texts and not texts[-1]:
        texts.pop()
    return OPTIONAL_HEADERS[: len(texts)]  # more columns: data_rows names the extra one


def check(row: int, values: dict[str, str], problems: list[tuple[int, str, str]]) -> None:
    level = values.get("申报级别", "")
    if level and level not in APPLY_LEVELS:
        problems.append((row, "申报级别", f"应为{'/'.join(APPLY_LEVELS)}之一或不填"))
    skill = values.get("高技能人才", "")
    if skill not in ("", YES, NO):
        problems.append((row, "高技能人才", "应填“是”或“否”（或不填）"))
    if skill == YES and not values.get("职业技能等级"):
        problems.append((row, "职业技能等级", "高技能人才须填写职业技能等级（如 高级技师）"))
    for header, limit in MAX_TEXT.items():
        if len(values.get(header, "")) > limit:
            problems.append((row, header, f"不能超过{limit}个字"))


def apply(applicant: Applicant, values: dict[str, str]) -> None:
    applicant.apply_level = values.get("申报级别", "")
    applicant.high_skill = values.get("高技能人才", "") == YES
    applicant.skill_level = values.get("职业技能等级", "") if applicant.high_skill else ""
    applicant.review_group = values.get("评审分组", "")
