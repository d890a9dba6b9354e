"""The selection-odds workbook (`expertpool odds --xlsx`), from an `expertpool.odds/1` dict."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from expertpool.spreadsheet import first_sheet, put, workbook_bytes, write_header

HEADERS = [
    "专家编号",
    "入选评委次数",
    "入选评委概率",
    "95%区间下限",
    "95%区间上限",
    "入选备选次数",
    "入选备选概率",
    "备选95%区间下限",
    "备选95%区间上限",
    "是否过高",
]
WIDTHS = [16, 12, 12, 12, 12, 12, 12, 16, 16, 10]


def _row(expert: dict[str, Any]) -> list[Any]:
    m, a = expert["member"], expert["alternate"]
    return [
        expert["id"],
        m["count"],
        m["p"],
        m["low"],
        m["high"],
        a["count"],
        a["p"],
        a["low"],
        a["high"],
        "是" if expert["flagged"] else "",
    ]


KIND = {"exact": "精确值", "lower_bound": "下界（线性规划）", "upper_bound": "上界（线性规划）"}


def _best_lines(best: dict[str, Any]) -> list[str]:
    hi, lo = best["minimax"], best["maximin"]
    return [
        f"最均衡抽取方式下最高入选概率的最小可能值：{hi['value']}（{KIND[hi['kind']]}）",
        f"最均衡抽取方式下最低入选概率的最大可能值：{lo['value']}（{KIND[lo['kind']]}）",
        f"结论：{best['message']}",
        *([f"补充建议：{best['recruit']['message']}"] if best.get("recruit") else []),
    ]


def _summary(report: dict[str, Any]) -> list[str]:
    lines = [
        f"例会：{report['meeting']}",
        f"抽取包摘要：{report['instance_sha256']}",
        f"报告种子：{report['report_seed']}；模拟抽取次数：{report['draws']}",
        f"第 i 次抽取的种子：{report['seed_rule']}",
        f"评委人数：{report['panel_size']}；备选人数：{report['alternates']}；"
        f"符合条件专家：{report['eligible']}",
    ]
    if report["status"] == "infeasible":
        lines.append("该抽取包无法抽出合规的评委会，无法计算入选概率。原因：")
        lines.extend(d["message"] for d in report["diagnosis"])
        return lines
    top = report["max_member"]
    if top is not None:
        lines.append(f"最高入选概率：{top['p']}（{top['id']}，95%区间 {top['low']}–{top['high']}）")
    best = report.get("best")
    if best is not None:
        lines.extend(_best_lines(best))
    lines.append(
        f"入选概率高于 {report['threshold']} 的专家：{len(report['flagged'])} 名"
        "（这些专家几乎每次都会入选，名单容易被提前猜到）"
    )
    return lines


def odds_workbook(report: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "说明"
    for row, line in enumerate(_summary(report), start=1):
        put(ws, row, 1, line)  # ids and messages are text, never formulas
    ws.column_dimensions["A"].width = 110
    table = wb.create_sheet("入选概率")
    write_header(table, HEADERS, WIDTHS)
    for row, expert in enumerate(report["experts"], start=2):
        for col, value in enumerate(_row(expert), start=1):
            put(table, row, col, value)
    return workbook_bytes(wb)
