"""The nomination template (with drop-down lists) and the all-or-nothing bulk import."""

from __future__ import annotations

import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.catalogue.loader import SERIES
from expertpool.models import Nomination
from expertpool.models.enums import GENDERS, RANKS
from expertpool.services.nominations import (
    FIELD_LABELS,
    NominationInput,
    add_many,
    ensure_open,
    year_committees,
)
from expertpool.spreadsheet import (
    LIMITS_TEXT,
    MAX_ROWS,
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
from expertpool.validators import echo

# Column order of the template: (field key, header).
COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("id_card", "身份证号"),
    ("rank", "职称级别"),
    ("title_name", "职称名称"),
    ("series", "系列"),
    ("phone", "联系电话"),
    ("email", "电子邮箱"),
    ("committee_ids", "推荐评委会"),
    ("specialties", "专业"),
    ("recommendation", "推荐意见"),
    ("pledge_personal", "个人承诺"),
    ("pledge_unit", "单位承诺"),
]
HEADERS = [h for _, h in COLUMNS]
WIDTHS = [10, 6, 22, 10, 16, 10, 15, 24, 40, 30, 40, 10, 10]
DATA_SHEET = "专家推荐"
OPTIONS_SHEET = "选项"
SEPARATORS = re.compile(r"[；;、，,\n]+")
YES = {"是", "已承诺", "同意", "Y", "YES", "√", "✓"}


def _col(key: str) -> str:
    return get_column_letter([k for k, _ in COLUMNS].index(key) + 1)


def build_template(session: Session, year: int) -> bytes:
    """An xlsx with the headers, drop-down lists (long lists on a hidden sheet) and notes."""
    committees = year_committees(session, year)
    specialties = list(dict.fromkeys(s for c in committees for s in c.specialties))
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = DATA_SHEET
    write_header(ws, HEADERS, WIDTHS)
    last = MAX_ROWS + 1
    for key in ("id_card", "phone"):
        for row in range(2, 202):  # Excel keeps the text format for typed rows
            ws[f"{_col(key)}{row}"].number_format = "@"

    opts = wb.create_sheet(OPTIONS_SHEET)
    opts.sheet_state = "hidden"
    for col, values in enumerate(
        ([c.name for c in committees], specialties, list(SERIES)), start=1
    ):
        for row, value in enumerate(values, start=1):
            put(opts, row, col, value)

    def listed(key: str, formula: str, *, strict: bool, prompt: str) -> None:
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.showErrorMessage = True
        dv.errorStyle = "stop" if strict else "warning"
        dv.errorTitle = "输入值不在列表中"
        dv.error = "请从下拉列表中选择" + ("" if strict else "；多个值可用“；”分隔")
        dv.promptTitle = FIELD_LABELS[key]
        dv.prompt = prompt
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{_col(key)}2:{_col(key)}{last}")

    listed("gender", '"' + ",".join(GENDERS) + '"', strict=True, prompt="男或女，须与身份证号一致")
    listed(
        "rank", '"' + ",".join(reversed(RANKS)) + '"', strict=True, prompt="正高级、副高级或中级"
    )
    listed("series", f"'{OPTIONS_SHEET}'!$C$1:$C${len(SERIES)}", strict=True, prompt="职称系列")
    listed(
        "committee_ids",
        f"'{OPTIONS_SHEET}'!$A$1:$A${len(committees)}",
        strict=False,
        prompt="从列表选择；推荐到多个评委会时用“；”分隔",
    )
    listed(
        "specialties",
        f"'{OPTIONS_SHEET}'!$B$1:$B${len(specialties)}",
        strict=False,
        prompt="须属于所选评委会；多个专业用“；”分隔",
    )
    listed("pledge_personal", '"是,否"', strict=True, prompt="须填“是”")
    listed("pledge_unit", '"是,否"', strict=True, prompt="须填“是”")

    notes = wb.create_sheet("填写说明")
    lines = [
        f"{year}年大连市职称评审专家推荐表 填写说明",
        "1. 请在“专家推荐”工作表中每行填写一名推荐专家，不要修改表头。",
        "2. 性别、职称级别、系列、推荐评委会、专业、承诺请从下拉列表中选择。",
        "3. 推荐到多个评委会或填写多个专业时，用中文分号“；”分隔；专业须属于所选评委会（见“评委会与专业”工作表）。",
        "4. 身份证号为18位，请以文本格式填写；性别须与身份证号一致。",
        "5. 个人承诺、单位承诺须均为“是”（个人、单位双重承诺制）。",
        "6. 请勿在单元格中使用公式。",
        f"7. 限制：{LIMITS_TEXT}。",
        "8. 导入时全部数据一起校验：只要有一行有错误，全部不导入，并列出每个错误的行和列。",
    ]
    for row, text in enumerate(lines, start=1):
        put(notes, row, 1, text)
    notes["A1"].font = Font(bold=True, size=13)
    notes.column_dimensions["A"].width = 110

    ref = wb.create_sheet("评委会与专业")
    write_header(ref, ["评委会", "级别", "专业"], [60, 8, 100])
    for row, c in enumerate(committees, start=2):
        put(ref, row, 1, c.name)
        put(ref, row, 2, "高级" if c.level == "senior" else "中级")
        put(ref, row, 3, "；".join(c.specialties)).alignment = Alignment(wrap_text=True)
    wb.active = 0
    return workbook_bytes(wb)


def _split(text: str) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(text) if part.strip()]


def read_rows(
    session: Session, year: int, data: bytes
) -> tuple[list[int], list[NominationInput], dict[tuple[int, str], str]]:
    """Parse the uploaded file: (sheet row numbers, inputs, reading problems by (row, field))."""
    wb = open_workbook(data)
    try:
        committees = {c.name: c.id for c in year_committees(session, year)}
        numbers: list[int] = []
        inputs: list[NominationInput] = []
        problems: dict[tuple[int, str], str] = {}
        for row_no, cells in data_rows(wb, DATA_SHEET, HEADERS):
            values: dict[str, str] = {}
            row_problems: dict[str, str] = {}
            for (key, _), cell in zip(COLUMNS, cells, strict=False):
                raw = getattr(cell, "value", None)
                if key == "id_card" and isinstance(raw, int | float) and not isinstance(raw, bool):
                    # Excel keeps 15 significant digits: an 18-digit number has lost its tail.
                    values[key] = ""
                    row_problems[key] = (
                        "被Excel存成了数字（末几位已丢失），请把该列设为文本格式后重新填写"
                    )
                    continue
                try:
                    values[key] = cell_text(cell)
                except CellProblem as exc:
                    values[key] = ""
                    row_problems[key] = str(exc)
            if not any(values.values()) and not row_problems:
                continue  # blank rows are ignored
            if len(inputs) >= MAX_ROWS:
                raise XlsxError(f"数据超过{MAX_ROWS}行，请拆分为多个文件分别导入")
            committee_ids: list[int] = []
            unknown = []
            for name in _split(values.get("committee_ids", "")):
                if name in committees:
                    committee_ids.append(committees[name])
                else:
                    unknown.append(name)
            if unknown and "committee_ids" not in row_problems:
                row_problems["committee_ids"] = (
                    f"“{echo('、'.join(unknown))}”不在{year}年评委会目录中"
                )
            pledges = {}
            for key in ("pledge_personal", "pledge_unit"):
                pledges[key] = values.get(key, "").upper() in YES
                if not pledges[key] and key not in row_problems:
                    row_problems[key] = "须填写“是”（个人、单位双重承诺）"
            inputs.append(
                NominationInput(
                    name=values.get("name", ""),
                    gender=values.get("gender", ""),
                    id_card=values.get("id_card", ""),
                    rank=values.get("rank", ""),
                    title_name=values.get("title_name", ""),
                    series=values.get("series", ""),
                    phone=values.get("phone", ""),
                    email=values.get("email", ""),
                    committee_ids=committee_ids if not unknown else committee_ids or [0],
                    specialties=_split(values.get("specialties", "")),
                    recommendation=values.get("recommendation", ""),
                    **pledges,
                )
            )
            numbers.append(row_no)
            for key, message in row_problems.items():
                problems[(row_no, key)] = message
    finally:
        wb.close()
    if not inputs:
        raise XlsxError("表格中没有数据：请从第2行开始填写推荐专家")
    return numbers, inputs, problems


def import_nominations(
    session: Session, actor: Actor, year: int, data: bytes, *, now: datetime
) -> list[Nomination]:
    """Import every row or none; raises XlsxError (bad file) or RowErrors (bad rows)."""
    ensure_open(session, year, now)
    numbers, inputs, problems = read_rows(session, year, data)
    return add_many(
        session,
        actor,
        year,
        inputs,
        now=now,
        row_numbers=numbers,
        preset_errors=problems,
        target="表格导入推荐",
    )
