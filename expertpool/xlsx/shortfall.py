"""The shortfall workbook (`expertpool shortfall --xlsx` and the dashboard's download)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from expertpool.services.shortfall import (
    COLUMNS,
    DEFAULT_MARGIN,
    ELSEWHERE,
    CommitteeShortfall,
    report_rows,
)
from expertpool.spreadsheet import first_sheet, put, workbook_bytes, write_header

WIDTHS = [10, 48, 6, 9, 18, 9, 9, 12, 9, 10, 10, 13, 10, 12, 60]


def build_workbook(report: list[CommitteeShortfall], year: int) -> Workbook:
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = f"{year}年专家缺口"
    write_header(ws, [header for _, header in COLUMNS], WIDTHS)
    for row, values in enumerate(report_rows(report), start=2):
        for col, (key, _) in enumerate(COLUMNS, start=1):
            put(ws, row, col, values[key])  # names are text, never formulas
    ws.auto_filter.ref = ws.dimensions
    margin = report[0].margin if report else DEFAULT_MARGIN
    note = wb.create_sheet("说明")
    for line in (
        "目标人数 = 一次抽取（评委 + 备选）所需人数 × 余量系数；正高级优先补充。",
        f"余量系数：{margin}（本系统默认值，可调整）。",
        "符合条件人数：在库、可参加、职称符合且未因连续任职受限的专家。",
        f"可用人数：同一单位最多计“同一单位评委上限 × 余量系数”名；表决基数和同专业表决评委"
        f"只计该申报人无需回避的专家。因单位集中或回避产生的缺口注明“{ELSEWHERE}”。",
        "表决基数一行列出无需回避的可用专家最少的申报人。",
        "无申报人数据时，按评委会每个专业至少1名评委估算。",
    ):
        note.append([line])
    note.column_dimensions["A"].width = 100
    return wb


def shortfall_xlsx(report: list[CommitteeShortfall], year: int) -> bytes:
    return workbook_bytes(build_workbook(report, year))


def write_xlsx(report: list[CommitteeShortfall], year: int, target: str | Path) -> None:
    build_workbook(report, year).save(target)
