"""A meeting's applicants (申报人): the xlsx template and all-or-nothing import; declared
conflicts of interest (回避申报) between pool experts and applicants."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.actor import Actor
from expertpool.errors import BadRows, UserError
from expertpool.models import Applicant, Conflict, Expert, Meeting, PoolMembership, Unit
from expertpool.models.enums import CONFLICT_REASONS
from expertpool.services import applicant_fields, audit
from expertpool.services.panels.sealing import refuse_if_sealed
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
    worksheet,
    write_header,
)
from expertpool.validators import ValidationError, validate_name, validate_uscc

HEADERS = ["姓名", "工作单位", "统一社会信用代码", "申报专业", "现职称"]
REQUIRED = {"姓名", "工作单位", "申报专业"}
WIDTHS = [12, 36, 24, 20, 20]
DATA_SHEET = "申报人"
MAX_TEXT = {"姓名": 20, "工作单位": 200, "申报专业": 60, "现职称": 60}


class ApplicantRowErrors(BadRows):
    """Bad rows: nothing was imported. ``problems``: (row, column header, message)."""


def build_template(meeting: Meeting) -> bytes:
    """The applicant template: headers, a hint row of instructions and a specialty list."""
    wb = Workbook()
    ws = first_sheet(wb)
    ws.title = DATA_SHEET
    heads = [*HEADERS, *applicant_fields.OPTIONAL_HEADERS]
    write_header(
        ws,
        [f"{h}*" if h in REQUIRED else h for h in heads],
        [*WIDTHS, *applicant_fields.OPTIONAL_WIDTHS],
    )
    specs = list(meeting.committee.specialties)
    opts = wb.create_sheet("专业列表")
    put(opts, 1, 1, "申报专业（须为本评委会的专业）")
    opts["A1"].font = Font(bold=True)
    for i, spec in enumerate(specs, start=2):
        put(opts, i, 1, spec)
    if specs:
        dv = DataValidation(
            type="list",
            formula1=f"'专业列表'!$A$2:$A${len(specs) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="申报专业",
            error="请从下拉列表中选择本评委会的专业",
        )
        ws.add_data_validation(dv)
        dv.add(f"D2:D{MAX_ROWS + 1}")
    note = wb.create_sheet("填写说明")
    lines = [
        f"{meeting.committee.name}（{meeting.code}）申报人导入模板",
        "1. 从“申报人”表第2行起每行填写一名申报人；带*的列必填。",
        "2. 统一社会信用代码可不填：不填时按单位名称匹配已登记的单位，没有则新建该单位。",
        "3. 申报专业须为本评委会的专业之一（见“专业列表”）。",
        "4. 申报级别、高技能人才（是/否）、职业技能等级、评审分组为选填列；高技能人才单独分组、单独评审。",
        "5. 整批导入：任何一行有错误时一行也不导入，并逐行列出错误。",
        f"6. {LIMITS_TEXT}。",
    ]
    for i, text in enumerate(lines, start=1):
        cell = put(note, i, 1, text)
        cell.alignment = Alignment(wrap_text=True)
    note.column_dimensions["A"].width = 90
    return workbook_bytes(wb)


@dataclass
class ApplicantRow:
    row: int
    name: str
    unit_name: str
    uscc: str
    specialty: str
    current_title: str
    extra: dict[str, str] = field(default_factory=dict)  # the optional columns


def _read(data: bytes) -> tuple[list[ApplicantRow], list[tuple[int, str, str]]]:
    wb = open_workbook(data)
    problems: list[tuple[int, str, str]] = []
    rows: list[ApplicantRow] = []
    ws = worksheet(wb, DATA_SHEET)
    headers = HEADERS + applicant_fields.optional_headers(ws, len(HEADERS))
    try:
        for row_no, cells in data_rows(wb, DATA_SHEET, headers):
            values: dict[str, str] = {}
            for header, cell in zip(headers, cells, strict=False):
                try:
                    values[header] = cell_text(cell)
                except CellProblem as exc:
                    values[header] = ""
                    problems.append((row_no, header, str(exc)))
            if not any(values.values()) and not any(p[0] == row_no for p in problems):
                continue
            if len(rows) >= MAX_ROWS:
                raise XlsxError(f"数据超过{MAX_ROWS}行，请拆分为多个文件分别导入")
            rows.append(
                ApplicantRow(
                    row_no,
                    values.get("姓名", ""),
                    values.get("工作单位", ""),
                    values.get("统一社会信用代码", ""),
                    values.get("申报专业", ""),
                    values.get("现职称", ""),
                    {h: values.get(h, "") for h in applicant_fields.OPTIONAL_HEADERS},
                )
            )
    finally:
        wb.close()
    if not rows and not problems:
        raise XlsxError("表格中没有数据：请从第2行开始填写申报人")
    return rows, problems


def placeholder_uscc(unit_name: str) -> str:
    """A stable 18-character id for a unit imported without its 统一社会信用代码.

    It starts with "X", which no real code does, so it never collides with one.
    """
    return "X" + hashlib.sha256(unit_name.encode("utf-8")).hexdigest()[:17].upper()


def _next_code(session: Session, meeting: Meeting) -> int:
    codes = session.scalars(select(Applicant.code).where(Applicant.meeting_id == meeting.id))
    numbers = [int(c[1:]) for c in codes if re.fullmatch(r"A\d+", c)]
    return max(numbers, default=0) + 1


@dataclass
class _Known:
    """What an import checks its rows against: the committee's specialties, the registered
    units, the meeting's applicants, and the rows seen so far."""

    specialties: set[str]
    units_by_name: dict[str, Unit]
    units_by_uscc: dict[str, Unit]
    existing: set[tuple[str, int, str]]
    seen: dict[tuple[str, str, str], int] = field(default_factory=dict)


def _known(session: Session, meeting: Meeting) -> _Known:
    units_by_name = {u.name: u for u in session.scalars(select(Unit))}
    return _Known(
        specialties=set(meeting.committee.specialties),
        units_by_name=units_by_name,
        units_by_uscc={u.uscc: u for u in units_by_name.values()},
        existing={
            (a.name, a.unit_id, a.specialty)
            for a in session.scalars(select(Applicant).where(Applicant.meeting_id == meeting.id))
        },
    )


def _unit_name(r: ApplicantRow) -> str:
    return re.sub(r"\s+", "", r.unit_name)


def _check_fields(r: ApplicantRow, known: _Known, problems: list[tuple[int, str, str]]) -> str:
    """Each cell of the row on its own; returns the 统一社会信用代码 (normalised, or "")."""
    try:
        validate_name(r.name)
    except ValidationError as exc:
        problems.append((r.row, "姓名", exc.message))
    unit_name = _unit_name(r)
    if not unit_name:
        problems.append((r.row, "工作单位", "不能为空"))
    elif len(unit_name) > MAX_TEXT["工作单位"]:
        problems.append((r.row, "工作单位", f"不能超过{MAX_TEXT['工作单位']}个字"))
    uscc = ""
    if r.uscc:
        try:
            uscc = validate_uscc(r.uscc)
        except ValidationError as exc:
            problems.append((r.row, "统一社会信用代码", exc.message))
    if not r.specialty:
        problems.append((r.row, "申报专业", "不能为空"))
    elif r.specialty not in known.specialties:
        problems.append(
            (r.row, "申报专业", f"“{r.specialty}”不是本评委会的专业（见模板“专业列表”）")
        )
    if len(r.current_title) > MAX_TEXT["现职称"]:
        problems.append((r.row, "现职称", f"不能超过{MAX_TEXT['现职称']}个字"))
    applicant_fields.check(r.row, r.extra, problems)
    return uscc


def _match_unit(
    r: ApplicantRow, uscc: str, known: _Known, problems: list[tuple[int, str, str]]
) -> Unit | None:
    """The registered unit of the row (by code when given, else by name), or None if new."""
    unit_name = _unit_name(r)
    if not uscc:
        return known.units_by_name.get(unit_name)
    unit = known.units_by_uscc.get(uscc)
    by_name = known.units_by_name.get(unit_name)
    if unit is None and by_name is not None:
        problems.append(
            (
                r.row,
                "统一社会信用代码",
                f"单位“{unit_name}”已登记的统一社会信用代码为{by_name.uscc}，与所填不符",
            )
        )
    return unit


def _check_duplicate(
    r: ApplicantRow,
    name: str,
    unit: Unit | None,
    known: _Known,
    problems: list[tuple[int, str, str]],
) -> None:
    key = (name, _unit_name(r), r.specialty)
    if key in known.seen:
        problems.append((r.row, "姓名", f"与第{known.seen[key]}行重复"))
    elif unit is not None and (name, unit.id, r.specialty) in known.existing:
        problems.append((r.row, "姓名", "该申报人已导入过（姓名、单位、专业相同）"))
    known.seen.setdefault(key, r.row)


def _plan_rows(
    rows: list[ApplicantRow], known: _Known, problems: list[tuple[int, str, str]]
) -> list[tuple[ApplicantRow, Unit | None, str]]:
    """Check every row; the good ones with their registered unit (or None) and code."""
    planned: list[tuple[ApplicantRow, Unit | None, str]] = []
    for r in rows:
        bad = len(problems)
        uscc = _check_fields(r, known, problems)
        name = r.name if len(problems) > bad else validate_name(r.name)
        unit: Unit | None = None
        if _unit_name(r) and len(problems) == bad:
            unit = _match_unit(r, uscc, known, problems)
        if len(problems) == bad:
            _check_duplicate(r, name, unit, known, problems)
        if len(problems) == bad:
            planned.append((r, unit, uscc))
    return planned


def _create_applicants(
    session: Session,
    meeting: Meeting,
    planned: list[tuple[ApplicantRow, Unit | None, str]],
    new_units: dict[str, Unit],
) -> list[Applicant]:
    """The applicants of the planned rows; units not registered yet are created once."""
    next_no = _next_code(session, meeting)
    created: list[Applicant] = []
    for r, known_unit, uscc in planned:
        unit_name = _unit_name(r)
        unit = known_unit or new_units.get(unit_name)
        if unit is None:
            unit = Unit(name=unit_name, uscc=uscc or placeholder_uscc(unit_name), kind="其他")
            session.add(unit)
            new_units[unit_name] = unit
        applicant = Applicant(
            meeting_id=meeting.id,
            code=f"A{next_no:04d}",
            name=validate_name(r.name),
            unit=unit,
            specialty=r.specialty,
            current_title=r.current_title,
        )
        applicant_fields.apply(applicant, r.extra)
        next_no += 1
        session.add(applicant)
        created.append(applicant)
    return created


def import_applicants(
    session: Session, meeting: Meeting, data: bytes, actor: Actor
) -> list[Applicant]:
    """Import every row or none; XlsxError for an unusable file, ApplicantRowErrors for rows."""
    refuse_if_sealed(session, meeting)
    rows, problems = _read(data)
    planned = _plan_rows(rows, _known(session, meeting), problems)
    if problems:
        problems.sort()
        raise ApplicantRowErrors(problems)
    new_units: dict[str, Unit] = {}
    created = _create_applicants(session, meeting, planned, new_units)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "import",
        meeting.code,
        {"what": "申报人", "count": len(created), "new_units": sorted(new_units)},
    )
    return created


def list_applicants(session: Session, meeting: Meeting) -> list[Applicant]:
    return list(
        session.scalars(
            select(Applicant)
            .where(Applicant.meeting_id == meeting.id)
            .options(selectinload(Applicant.unit))
            .order_by(Applicant.code)
        )
    )


# ---------------------------------------------------------------------------
# Conflicts (回避申报)
# ---------------------------------------------------------------------------


def committee_pool(session: Session, meeting: Meeting) -> list[Expert]:
    return list(
        session.scalars(
            select(Expert)
            .join(PoolMembership, PoolMembership.expert_id == Expert.id)
            .where(PoolMembership.committee_id == meeting.committee_id)
            .options(selectinload(Expert.unit))
            .order_by(Expert.code)
        )
    )


def find_pool_expert(session: Session, meeting: Meeting, text: str) -> Expert:
    """An expert of the committee's pool by code (E000123), name, or "E000123 姓名…"."""
    text = (text or "").strip()
    if not text:
        raise UserError("请填写专家编号或姓名", field="expert")
    pool = committee_pool(session, meeting)
    first = text.split()[0].upper()
    by_code = [e for e in pool if e.code == first]
    if by_code:
        return by_code[0]
    by_name = [e for e in pool if e.name == text]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        options = "、".join(f"{e.code}（{e.unit.name}）" for e in by_name)
        raise UserError(
            f"本评委会专家库中有{len(by_name)}名“{text}”，请填写专家编号：{options}", field="expert"
        )
    raise UserError(f"本评委会专家库中没有“{text}”", field="expert")


def add_conflict(
    session: Session,
    meeting: Meeting,
    expert_text: str,
    applicant_id: int,
    reason: str,
    note: str,
    actor: Actor,
) -> Conflict:
    refuse_if_sealed(session, meeting)
    if reason not in CONFLICT_REASONS:
        raise UserError(f"回避原因应为{'、'.join(CONFLICT_REASONS)}之一", field="reason")
    expert = find_pool_expert(session, meeting, expert_text)
    applicant = session.get(Applicant, applicant_id)
    if applicant is None or applicant.meeting_id != meeting.id:
        raise UserError("请选择本次例会的申报人", field="applicant")
    note = (note or "").strip()
    if len(note) > 200:
        raise UserError("备注不能超过200个字", field="note")
    dup = session.scalar(
        select(Conflict).where(
            Conflict.meeting_id == meeting.id,
            Conflict.expert_id == expert.id,
            Conflict.applicant_id == applicant.id,
        )
    )
    if dup is not None:
        raise UserError(
            f"{expert.name}（{expert.code}）与申报人{applicant.name}的回避已登记过", field="expert"
        )
    conflict = Conflict(
        meeting_id=meeting.id,
        expert_id=expert.id,
        applicant_id=applicant.id,
        reason=reason,
        note=note,
    )
    session.add(conflict)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "settings",
        meeting.code,
        {
            "what": "登记回避",
            "expert": expert.code,
            "applicant": applicant.code,
            "reason": reason,
        },
    )
    return conflict


def remove_conflict(session: Session, meeting: Meeting, conflict_id: int, actor: Actor) -> None:
    refuse_if_sealed(session, meeting)
    conflict = session.get(Conflict, conflict_id)
    if conflict is None or conflict.meeting_id != meeting.id:
        raise UserError("该回避记录不存在", field="conflict")
    detail = {
        "what": "撤销回避",
        "expert": conflict.expert.code,
        "applicant": conflict.applicant.code,
        "reason": conflict.reason,
    }
    session.delete(conflict)
    session.flush()
    audit.record(session, actor.username, actor.role, "settings", meeting.code, detail)


def remove_applicant(
    session: Session, meeting: Meeting, applicant_id: int, actor: Actor
) -> Applicant:
    """Take out an applicant imported by mistake, with the conflicts declared against them.
    A panel drawn before is then out of date and must be drawn again (changes_since_draw)."""
    refuse_if_sealed(session, meeting)
    applicant = session.get(Applicant, applicant_id)
    if applicant is None or applicant.meeting_id != meeting.id:
        raise UserError("该申报人不存在", field="applicant")
    conflicts = session.scalars(select(Conflict).where(Conflict.applicant_id == applicant.id))
    removed = [c.expert.code for c in conflicts]
    for c in session.scalars(select(Conflict).where(Conflict.applicant_id == applicant.id)):
        session.delete(c)
    detail = {
        "what": "删除申报人",
        "applicant": applicant.code,
        "name": applicant.name,
        "specialty": applicant.specialty,
        "conflicts_removed": sorted(removed),
    }
    session.delete(applicant)
    session.flush()
    session.expire(meeting, ["applicants", "conflicts"])  # the rules' defaults count them
    audit.record(session, actor.username, actor.role, "settings", meeting.code, detail)
    return applicant


def list_conflicts(session: Session, meeting: Meeting) -> list[Conflict]:
    return list(
        session.scalars(
            select(Conflict)
            .where(Conflict.meeting_id == meeting.id)
            .options(
                selectinload(Conflict.expert).selectinload(Expert.unit),
                selectinload(Conflict.applicant),
            )
            .order_by(Conflict.id)
        )
    )
