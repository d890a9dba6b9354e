"""Safe xlsx writing (user text never becomes a formula) and bounded, formula-free reading.

Below the services (applicant import reads with it) and the xlsx adapters alike."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, cast

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from expertpool.errors import UserError
from expertpool.validators import strip_control_characters
from expertpool.xlsx_archive import CORRUPT, UnusableArchive, check_archive

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_CELL_CHARS = 500
LIMITS_TEXT = f"文件不超过5 MB，数据不超过{MAX_ROWS}行，每个单元格不超过{MAX_CELL_CHARS}个字符"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1E3A8A")


class XlsxError(UserError):
    """The file as a whole cannot be used (not xlsx, corrupt, too big, wrong headers)."""


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell. Text is always stored as text: "=1+1" stays the characters =1+1."""
    cell = cast(Cell, ws.cell(row=row, column=column))  # never a merged cell here
    if isinstance(value, str):
        cell.value = strip_control_characters(value)
        cell.data_type = "s"  # never "f", whatever the text starts with
    else:
        cell.value = value
    return cell


def first_sheet(wb: Workbook) -> Worksheet:
    """The active (first) worksheet of a workbook this code created."""
    ws = wb.active
    if not isinstance(ws, Worksheet):
        raise TypeError("workbook without a worksheet")
    return ws


def write_header(ws: Worksheet, headers: list[str], widths: list[int] | None = None) -> None:
    for col, text in enumerate(headers, start=1):
        cell = put(ws, 1, col, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        if widths:
            ws.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    ws.freeze_panes = "A2"


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


NOT_XLSX = "文件格式不正确：请上传Excel的xlsx文件（不支持xls、csv或其他格式）"


def open_workbook(data: bytes) -> Any:
    """Open an uploaded xlsx read-only without evaluating anything; one clear error if unusable.

    The archive is checked whole first (`check_archive`): openpyxl reads a read-only sheet
    lazily, so a bad CRC found while the rows are read would otherwise escape as BadZipFile."""
    if not data:
        raise XlsxError("上传的文件为空，请选择填写好的xlsx文件")
    if len(data) > MAX_FILE_BYTES:
        raise XlsxError(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB），不能超过5 MB，请拆分后再上传"
        )
    if not data.startswith(b"PK"):
        raise XlsxError(NOT_XLSX)
    try:
        check_archive(data)
    except UnusableArchive as exc:
        raise XlsxError(exc.message) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise XlsxError(CORRUPT) from exc


def worksheet(wb: Any, name: str) -> Any:
    """The sheet `name`, else the first one; a workbook without sheets is refused."""
    if name in wb.sheetnames:
        return wb[name]
    if not wb.worksheets:
        raise XlsxError("表格中没有工作表，请使用系统提供的模板")
    return wb.worksheets[0]


def guarded_rows(ws: Any, **kw: Any) -> Iterator[tuple[Any, ...]]:
    """`ws.iter_rows(**kw)`, with a damage found while reading (bad XML in a sheet part)
    raised as the one "damaged file" message instead of the parser's own exception."""
    rows = ws.iter_rows(**kw)
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # ParseError, ValueError, KeyError… from a damaged part
            raise XlsxError(CORRUPT) from exc
        yield cells


class CellProblem(ValueError):
    """One cell cannot be read as text (formula, too long, a date…)."""


def cell_text(cell: Any) -> str:
    """The cell's content as text, never evaluated; a formula cell is refused."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "f" or not isinstance(
        value, str | int | float | bool | datetime | date
    ):
        raise CellProblem("不能使用公式，请填写文本")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime | date):
        raise CellProblem("不能是日期格式，请以文本填写")
    if isinstance(value, float):
        if value.is_integer():
            value = int(value)
        else:
            return str(value)
    text = str(value)
    if len(text) > MAX_CELL_CHARS:
        raise CellProblem(f"内容过长（{len(text)}个字符），不能超过{MAX_CELL_CHARS}个字符")
    return text.strip()


def data_rows(wb: Any, sheet: str, headers: list[str]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The data rows (sheet row number, cells) of an import sheet whose first row must be
    exactly `headers` (trailing empty header cells ignored; a trailing `*` marks required)."""
    rows = guarded_rows(worksheet(wb, sheet))
    header_cells = next(rows, None)
    if header_cells is None:
        raise XlsxError("表格为空：第1行应为表头，请使用系统提供的模板")
    got_headers = []
    for cell in header_cells:
        try:
            got_headers.append(cell_text(cell).rstrip("*＊"))
        except CellProblem as exc:  # a formula, an over-long text, a date…
            got_headers.append(f"无法读取：{exc}")
    while got_headers and not got_headers[-1]:
        got_headers.pop()
    for i, expected in enumerate(headers):
        got = got_headers[i] if i < len(got_headers) else ""
        if got != expected:
            raise XlsxError(
                f"表头与模板不符：第{i + 1}列应为「{expected}」，实际为「{got or '空'}」。"
                "请下载最新模板填写"
            )
    if len(got_headers) > len(headers):
        raise XlsxError(f"表头与模板不符：只应有{len(headers)}列。请下载最新模板填写")
    # Blank rows cost time too: a sheet padded with a million empty rows is refused early.
    limit = 10 * MAX_ROWS + 1
    for row_no, cells in enumerate(rows, start=2):
        if row_no > limit:
            raise XlsxError(f"表格行数过多（超过{limit}行，含空行），请删除多余的空行或拆分文件")
        yield row_no, cells
