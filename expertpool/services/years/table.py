"""Import the notice's attachment tables (例会计划时间表) into a working year, all or nothing.

The table is the one published with each year's notice (附件1 高级、附件2 中级): a pasted
copy (tab- or comma-separated, repeated header rows and title lines allowed) or an xlsx
with the same columns. A committee found by name gets the row's data for the year; a new
name forms a new committee (level and series as its name states them). Committees the
table leaves out are not touched: retiring one is a decision made on the page.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import BadRows, UserError
from expertpool.models import Committee, Meeting
from expertpool.services import audit
from expertpool.services.years.common import (
    TABLE_COLUMNS,
    CleanYearData,
    CommitteeYearInput,
    clean_year_data,
    require_bureau,
    require_latest,
)
from expertpool.services.years.editing import (
    apply_year_data,
    create_committee,
    dates_locked,
    level_and_series,
)
from expertpool.spreadsheet import CellProblem, XlsxError, cell_text, data_rows, open_workbook

HEADERS = list(TABLE_COLUMNS.values())
MAX_TABLE_ROWS = 200


class TableRowErrors(BadRows):
    labels = TABLE_COLUMNS


@dataclass(frozen=True)
class TableRow:
    number: int  # the line (pasted text) or sheet row (xlsx) the row came from
    cells: dict[str, str]


def _is_header(cells: list[str]) -> bool:
    return [c.strip() for c in cells[: len(HEADERS)]] == HEADERS


def parse_text(text: str) -> list[TableRow]:
    """Rows of a pasted table; lines before the first header row are titles and skipped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows: list[TableRow] = []
    started = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        delimiter = "\t" if "\t" in line else ","
        cells = next(csv.reader([line], delimiter=delimiter))
        if _is_header(cells):
            started = True
            continue
        if not started:
            if line.lstrip().startswith(("序号", "1\t", "1,")):
                raise UserError(f"表头应为：{'、'.join(HEADERS)}", field="table")
            continue
        rows.append(TableRow(number, _cells(cells)))
    if not started:
        raise UserError(f"没有找到表头行（{'、'.join(HEADERS)}）", field="table")
    return rows


def _cells(values: list[str]) -> dict[str, str]:
    padded = [*values, *[""] * len(HEADERS)]
    cells = {key: padded[i].strip() for i, key in enumerate(TABLE_COLUMNS)}
    if any(v.strip() for v in values[len(HEADERS) :]):
        cells["_extra"] = "该行的列数多于表头"
    return cells


def parse_xlsx(data: bytes) -> list[TableRow]:
    """Rows of an xlsx whose first row is the table's header."""
    wb = open_workbook(data)
    rows: list[TableRow] = []
    for number, cells in data_rows(wb, "", HEADERS):
        texts: list[str] = []
        for cell in cells[: len(HEADERS)]:
            try:
                texts.append(cell_text(cell))
            except CellProblem as exc:
                texts.append(f"\x00{exc}")
        if any(texts):
            rows.append(TableRow(number, _cells(texts)))
    return rows


@dataclass(frozen=True)
class _Planned:
    meeting: Meeting | None  # None: a new committee
    name: str
    level: str
    series: str
    clean: CleanYearData


def _row_problems(row: TableRow) -> list[tuple[int, str, str]]:
    problems = [
        (row.number, key, value[1:]) for key, value in row.cells.items() if value.startswith("\x00")
    ]
    if "_extra" in row.cells:
        problems.append((row.number, "seq", row.cells["_extra"]))
    seq = row.cells["seq"]
    if not seq.isdigit() or int(seq) < 1:
        problems.append((row.number, "seq", "序号应为正整数"))
    return problems


def _plan_row(
    session: Session, year: int, row: TableRow, meetings: dict[str, Meeting]
) -> tuple[_Planned | None, list[tuple[int, str, str]]]:
    problems = _row_problems(row)
    name = row.cells["name"]
    meeting = meetings.get(name)
    level, series = level_and_series(name)
    if not name:
        problems.append((row.number, "name", "评委会名称不能为空"))
    elif meeting is None and (level is None or series is None):
        problems.append((row.number, "name", "新评委会的名称中应写明系列和“高级”或“中级”"))
    elif meeting is None and session.scalar(select(Committee.id).where(Committee.name == name)):
        problems.append((row.number, "name", "该评委会已撤销，不能通过导入恢复"))
    data = CommitteeYearInput(**{k: row.cells[k] for k in list(TABLE_COLUMNS)[2:]})
    clean, errors = clean_year_data(year, data)
    problems += [(row.number, key, message) for key, message in errors.items()]
    locked = dates_locked(session, meeting, clean) if meeting and clean else None
    if locked:
        problems.append((row.number, "meeting_period", locked))
    if problems or clean is None:
        return None, problems
    found_level = meeting.committee.level if meeting else str(level)
    found_series = meeting.committee.series if meeting else str(series)
    return _Planned(meeting, name, found_level, found_series, clean), []


def _plan(session: Session, year: int, rows: list[TableRow]) -> list[_Planned]:
    if not rows:
        raise UserError("表格中没有数据行", field="table")
    if len(rows) > MAX_TABLE_ROWS:
        raise UserError(f"表格不能超过{MAX_TABLE_ROWS}行", field="table")
    meetings = {
        m.committee.name: m for m in session.scalars(select(Meeting).where(Meeting.year == year))
    }
    planned: list[_Planned] = []
    problems: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for row in rows:
        name = row.cells["name"]
        if name and name in seen:
            problems.append((row.number, "name", f"与第{seen[name]}行重复"))
            continue
        seen[name] = row.number
        plan, row_problems = _plan_row(session, year, row, meetings)
        problems += row_problems
        if plan is not None:
            planned.append(plan)
    if problems:
        raise TableRowErrors(problems)
    return planned


@dataclass(frozen=True)
class ImportResult:
    updated: list[str]
    added: list[str]


def import_table(session: Session, actor: Actor, year: int, rows: list[TableRow]) -> ImportResult:
    """Apply every row, or none when any row is bad (``TableRowErrors`` lists them all)."""
    require_bureau(actor)
    require_latest(session, year)
    updated: list[str] = []
    added: list[str] = []
    for plan in _plan(session, year, rows):
        if plan.meeting is not None:
            apply_year_data(plan.meeting, plan.clean)
            updated.append(plan.meeting.code)
        else:
            meeting = create_committee(
                session, year, plan.name, plan.level, plan.series, plan.clean
            )
            added.append(meeting.code)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "year_table_import",
        f"{year}年度",
        {"updated": updated, "added": added},
    )
    return ImportResult(updated, added)


def read_table(text: str = "", data: bytes = b"") -> list[TableRow]:
    """A pasted table or an xlsx upload (the upload wins when both are given)."""
    if data:
        return parse_xlsx(data)
    if not text.strip():
        raise XlsxError("请粘贴例会计划时间表，或选择xlsx文件", field="table")
    return parse_text(text)
