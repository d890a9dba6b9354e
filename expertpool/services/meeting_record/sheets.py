"""The meeting's spreadsheets: the tally-sheet template and reader (all or nothing, bad rows
named), the 评审结果汇总表, and the figures of the written summary (评审工作书面总结)."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy.orm import Session

from expertpool.models import Meeting, MeetingDay
from expertpool.services.audit import HeadMark
from expertpool.services.meeting_record import day as days
from expertpool.services.meeting_record.record import Line, group_of, stats
from expertpool.spreadsheet import (
    CellProblem,
    XlsxError,
    cell_text,
    data_rows,
    first_sheet,
    open_workbook,
    put,
    workbook_bytes,
    write_header,
)

TALLY_SHEET = "表决票数"
TALLY_HEADERS = ["申报人编号", "姓名", "同意", "反对", "弃权"]
RESULT_HEADERS = [
    "编号",
    "姓名",
    "工作单位",
    "申报专业",
    "申报级别",
    "高技能人才",
    "评审分组",
    "表决评委",
    "同意",
    "反对",
    "弃权",
    "结果",
]


def tally_template(session: Session, meeting: Meeting) -> bytes:
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = TALLY_SHEET
    write_header(ws, TALLY_HEADERS, [14, 12, 8, 8, 8])
    for i, app in enumerate(meeting.applicants, start=2):
        put(ws, i, 1, app.code)
        put(ws, i, 2, app.name)
    return workbook_bytes(wb)


def _count(cell: object, row: int, header: str, problems: list[tuple[str, str]]) -> int:
    try:
        text = cell_text(cell)
    except CellProblem as exc:
        problems.append((f"第{row}行", f"「{header}」{exc}"))
        return 0
    if not text.isdigit():
        problems.append((f"第{row}行", f"「{header}」应为不小于0的整数，实际为“{text or '空'}”"))
        return 0
    return int(text)


def read_tally(data: bytes) -> tuple[dict[str, days.Counts], dict[str, str]]:
    """The sheet's rows → ({applicant code: counts}, {code: "第N行"}); RowErrors on bad rows."""
    wb = open_workbook(data)
    rows: dict[str, days.Counts] = {}
    labels: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    try:
        for row_no, cells in data_rows(wb, TALLY_SHEET, TALLY_HEADERS):
            padded = [*cells, *([None] * len(TALLY_HEADERS))]
            try:
                code = cell_text(padded[0])
            except CellProblem as exc:
                problems.append((f"第{row_no}行", f"「申报人编号」{exc}"))
                continue
            if not code:
                continue
            if code in labels:
                problems.append((f"第{row_no}行", f"申报人“{code}”与{labels[code]}重复"))
                continue
            yes, no, abstain = (
                _count(padded[i], row_no, TALLY_HEADERS[i], problems) for i in (2, 3, 4)
            )
            rows[code] = days.Counts(yes, no, abstain)
            labels[code] = f"第{row_no}行"
    finally:
        wb.close()
    if problems:
        raise days.RowErrors(problems)
    if not rows:
        raise XlsxError("表格中没有表决票数：请从第2行开始填写")
    return rows, labels


def results_xlsx(session: Session, day: MeetingDay, head: HeadMark | None = None) -> bytes:
    """评审结果汇总表 with the statistics sheet; `head`, the audit chain's head after this
    export's own audit event, on a last sheet (导出信息)."""
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "评审结果汇总表"
    write_header(ws, RESULT_HEADERS, [10, 10, 30, 16, 10, 10, 14, 10, 8, 8, 8, 10])
    for i, t in enumerate(day.tallies, start=2):
        a = t.applicant
        values = [
            a.code,
            a.name,
            a.unit.name,
            a.specialty,
            a.apply_level,
            f"是（{a.skill_level}）" if a.high_skill else "否",
            group_of(a) or "",
            t.voters,
            t.yes,
            t.no,
            t.abstain,
            "通过" if t.passed else ("表决无效" if not t.valid else "未通过"),
        ]
        for j, v in enumerate(values, start=1):
            put(ws, i, j, v)
    st = wb.create_sheet("统计")
    write_header(st, ["分类", "项目", "参评人数", "通过人数", "通过率"], [12, 24, 10, 10, 10])
    r = 2
    s = stats(session, day)
    sections: list[tuple[str, list[Line]]] = [
        ("总体", [s.overall, s.high_skill]),
        ("评审分组", s.by_group),
        ("申报级别", s.by_level),
        ("申报专业", s.by_specialty),
    ]
    for kind, lines in sections:
        for line in lines:
            for j, v in enumerate([kind, line.label, line.voted, line.passed, line.rate], 1):
                put(st, r, j, v)
            r += 1
    if head is not None:
        info = wb.create_sheet("导出信息")
        put(info, 1, 1, "审计链头（导出时）")
        put(info, 1, 2, head.label())
        info.column_dimensions["A"].width = 18
        info.column_dimensions["B"].width = 90
    return workbook_bytes(wb)
