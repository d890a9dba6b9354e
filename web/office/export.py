"""The panel as an xlsx workbook with Chinese headers (user text is never a formula): the
members and alternates, the recusals (申报人回避情况), the declines (请辞与递补记录) and the
draw's facts. Before sealing it is a preview, marked on every sheet and in its print header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from expertpool.models import Panel, PanelSeat
from expertpool.models.enums import SEAT_STATES
from expertpool.services.audit import HeadMark
from expertpool.services.panels import certificates as certs
from expertpool.spreadsheet import put, workbook_bytes, write_header
from web.formatting import bj_datetime
from web.panels import PanelView, panel_view

HEADERS = [
    "序号",
    "类别",
    "专家编号",
    "姓名",
    "工作单位",
    "职称级别",
    "职称名称",
    "专业",
    "联系电话",
    "状态",
]
WIDTHS = [6, 8, 12, 10, 36, 10, 16, 30, 15, 10]
PREVIEW_MARK = "预览（未封存，不得外传）"
RECUSAL_HEADERS = ["申报人", "回避评委", "回避原因"]
DECLINE_HEADERS = ["请辞评委", "递补评委", "递补方式", "登记时间（北京时间）", "请辞理由"]


def _rows_sheet(
    wb: Workbook,
    title: str,
    headers: list[str],
    widths: list[int],
    rows: Sequence[tuple[str, ...]],
) -> None:
    ws = cast(Worksheet, wb.create_sheet(title))
    write_header(ws, headers, widths)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value)
    if not rows:
        put(ws, 2, 1, "无")


def _mark_preview(wb: Workbook) -> None:
    """Every sheet says it is a preview: in its print header and in its tab name."""
    for ws in wb.worksheets:
        header = ws.oddHeader
        if header is not None:
            header.center.text = PREVIEW_MARK
        ws.title = f"{ws.title}（预览）"


def _certificate_lines(view: PanelView) -> list[tuple[str, str]]:
    """The certificates' SHA-256 (抽取证明), so the printed list names the files that prove it."""
    if view.season_panel:
        return [("抽取证明", certs.SEASON_NOTE)]
    if not view.certificates:
        return [("抽取证明", "无")]
    steps = "、".join(certs.step_name(c.step) for c in view.certificates)
    return [("抽取证明SHA-256", view.certificate_sha256), ("抽取证明所含步骤", steps)]


def panel_xlsx(session: Session, panel: Panel, head: HeadMark | None = None) -> bytes:
    """The workbook; a preview (marked) while the panel is not sealed. `head`: the audit
    chain's head after this export's own audit event, printed so that a later truncation of
    the chain shows against this file."""
    view = panel_view(session, panel)
    meeting = panel.meeting
    wb = Workbook()
    ws = cast(Worksheet, wb.active)  # a new workbook has one sheet, active
    ws.title = "评委名单"
    write_header(ws, HEADERS, WIDTHS)
    row = 2
    for i, seat in enumerate(view.members, start=1):
        _seat_row(ws, row, i, "评委", seat)
        row += 1
    for i, seat in enumerate(view.alternates, start=1):
        _seat_row(ws, row, i, f"备选{i}", seat)
        row += 1
    _rows_sheet(wb, "申报人回避情况", RECUSAL_HEADERS, [24, 24, 20], view.recusal_rows)
    _rows_sheet(wb, "请辞与递补记录", DECLINE_HEADERS, [24, 24, 14, 22, 40], view.decline_rows)
    info = wb.create_sheet("抽取信息")
    preview = panel.status != "sealed"
    lines = [
        *([("说明", PREVIEW_MARK)] if preview else []),
        ("例会编号", meeting.code),
        ("评委会", meeting.committee.name),
        ("例会时间", f"{meeting.window_start.isoformat()} 至 {meeting.window_end.isoformat()}"),
        *([("为已结束的例会抽取的原因", panel.past_reason)] if panel.past_reason else []),
        *view.seed_rows,
        ("随机种子", panel.seed),
        ("抽取包SHA-256", panel.instance_sha256),
        *_certificate_lines(view),
        ("抽取人", panel.drawn_by),
        ("抽取时间（北京时间）", bj_datetime(panel.drawn_at)),
        ("锁定人", panel.sealed_by),
        ("锁定时间（北京时间）", bj_datetime(panel.sealed_at)),
        *([("审计链头（导出时）", head.label())] if head is not None else []),
    ]
    for r, (k, v) in enumerate(lines, start=1):
        put(info, r, 1, k)
        put(info, r, 2, v)
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 70
    if preview:
        _mark_preview(wb)
    return workbook_bytes(wb)


def _seat_row(ws: Worksheet, row: int, no: int, kind: str, seat: PanelSeat) -> None:
    e = seat.expert
    values = [
        no,
        kind,
        e.code,
        e.name,
        e.unit.name,
        e.rank,
        e.title_name,
        "、".join(e.specialties),
        e.phone,
        SEAT_STATES.get(seat.state, seat.state),
    ]
    for col, value in enumerate(values, start=1):
        put(ws, row, col, value)
