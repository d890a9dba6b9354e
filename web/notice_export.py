"""The call list (通话名单) as an xlsx workbook: one row per outbox message, with the
phone, the current state and the notice to read out. User text is never a formula."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment

from expertpool.models import OutboxMessage, PanelSeat
from expertpool.services.notices import Board
from expertpool.spreadsheet import first_sheet, put, workbook_bytes, write_header

HEADERS = ["序号", "专家编号", "姓名", "联系电话", "当前状态", "通知内容", "通话记录（手填）"]
WIDTHS = [6, 12, 10, 16, 14, 80, 24]


def call_list_xlsx(
    rows: list[tuple[OutboxMessage, PanelSeat]], board: Board, printed: datetime
) -> bytes:
    labels = {r.seat.id: r.label for r in [*board.members, *board.alternates]}
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = "通话名单"
    write_header(ws, HEADERS, WIDTHS)
    for i, (message, seat) in enumerate(rows, start=1):
        values = [
            i,
            seat.expert.code,
            seat.expert.name,
            message.phone,
            labels.get(seat.id, ""),
            message.body,
            "",
        ]
        for col, value in enumerate(values, start=1):
            put(ws, i + 1, col, value)
        ws.cell(row=i + 1, column=6).alignment = Alignment(wrap_text=True, vertical="top")
    last = len(rows) + 3
    put(
        ws,
        last,
        1,
        f"保密：仅供本办事机构通知评委使用，不得外传。生成时间：{printed:%Y-%m-%d %H:%M}",
    )
    return workbook_bytes(wb)
