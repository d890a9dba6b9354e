"""Export a (filtered) list of pool experts to xlsx, Chinese headers, 身份证号 masked."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.models import Committee, Expert
from expertpool.spreadsheet import first_sheet, put, workbook_bytes, write_header

HEADERS = [
    "专家编号",
    "姓名",
    "性别",
    "出生年份",
    "身份证号（脱敏）",
    "工作单位",
    "职称级别",
    "职称名称",
    "系列",
    "专业",
    "所属评委会",
    "状态",
    "联系电话",
    "电子邮箱",
]
WIDTHS = [10, 10, 6, 9, 20, 30, 9, 16, 10, 30, 50, 8, 15, 26]


def export_pool(session: Session, experts: Iterable[Expert], *, title: str = "专家库") -> bytes:
    names = {cid: name for cid, name in session.execute(select(Committee.id, Committee.name))}
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = title[:31]
    write_header(ws, HEADERS, WIDTHS)
    for row, e in enumerate(experts, start=2):
        values = [
            e.code,
            e.name,
            e.gender,
            e.birth_year,
            e.masked_id_card,
            e.unit.name if e.unit else "",
            e.rank,
            e.title_name,
            e.series,
            "；".join(e.specialties or []),
            "；".join(names.get(m.committee_id, "") for m in e.memberships),
            e.status,
            e.phone,
            e.email,
        ]
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value)
    ws.auto_filter.ref = ws.dimensions
    return workbook_bytes(wb)
