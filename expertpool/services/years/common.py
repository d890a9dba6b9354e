"""Shared pieces of the working-year services: who may act, reading one committee row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.catalogue.periods import period_deadline, period_window
from expertpool.errors import UserError
from expertpool.models import WorkingYear
from expertpool.validators import ValidationError, echo, strip_control_characters, validate_phone

# Column keys and their headers in the notice's attachment tables (附件1、附件2).
TABLE_COLUMNS: dict[str, str] = {
    "seq": "序号",
    "name": "评委会名称",
    "specialties": "专业设置",
    "meeting_period": "例会时间",
    "dossier": "报卷截止时间",
    "department": "评委会组建部门(单位)",
    "contact": "联系人",
    "phone": "电话",
}
_SPLIT_RE = re.compile(r"[、，,；;\s]+")
_TAIL_RE = re.compile(r"(等专业|等)$")
_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def require_bureau(actor: Actor) -> None:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以管理工作年度")


def latest_year(session: Session) -> int | None:
    return session.scalar(select(func.max(WorkingYear.year)))


def require_latest(session: Session, year: int) -> None:
    """Only the latest year is edited: earlier years are history (see models.years)."""
    latest = latest_year(session)
    if latest is None or session.get(WorkingYear, year) is None:
        raise UserError(f"{year}年度尚未开启", field="year")
    if year != latest:
        raise UserError(f"{year}年度已结束，只能修改最新的{latest}年度", field="year")


@dataclass(frozen=True)
class CommitteeYearInput:
    """One committee's data for a year, as typed on the page or read from a table row."""

    specialties: str
    meeting_period: str
    dossier: str
    department: str
    contact: str
    phone: str


@dataclass(frozen=True)
class CleanYearData:
    specialties: list[str]
    specialty_text: str
    meeting_period: str
    window: tuple[date, date]
    dossier_period: str
    dossier_deadline: date
    department: str
    contact: str
    phone: str

    def profile(self) -> dict[str, object]:
        return {
            "specialties": self.specialties,
            "specialty_text": self.specialty_text,
            "dossier_period": self.dossier_period,
            "department": self.department,
            "contact": self.contact,
            "phone": self.phone,
        }


def split_specialties(text: str) -> list[str]:
    """ "药学、化妆品、医疗器械" -> three specialties; a trailing 等 is dropped, repeats once."""
    out: list[str] = []
    for part in _SPLIT_RE.split(text.strip()):
        name = _TAIL_RE.sub("", part.strip())
        if name and name not in out:
            out.append(name)
    return out


def _text(value: str, limit: int) -> str:
    return strip_control_characters(value or "").strip()[:limit]


def _dossier(year: int, text: str) -> tuple[str, date]:
    """ "8月下旬" (the period's last day) or a date such as 2025-08-29."""
    match = _ISO_DATE_RE.fullmatch(text)
    if match is None:
        return text, period_deadline(year, text)
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValidationError(f"日期“{echo(text)}”不存在", field="dossier") from None
    if day.year != year:
        raise ValidationError(f"报卷截止时间应在{year}年内", field="dossier")
    return "", day


def clean_year_data(
    year: int, data: CommitteeYearInput
) -> tuple[CleanYearData | None, dict[str, str]]:
    """The validated data, or None and one Chinese message per bad field key."""
    errors: dict[str, str] = {}
    specialties = split_specialties(_text(data.specialties, 2000))
    if not specialties:
        errors["specialties"] = "专业设置不能为空，多个专业用顿号分隔"
    period = _text(data.meeting_period, 20)
    window = dossier = None
    try:
        window = period_window(year, period)
    except ValidationError as exc:
        errors["meeting_period"] = exc.message
    try:
        dossier = _dossier(year, _text(data.dossier, 20))
    except ValidationError as exc:
        errors["dossier"] = exc.message.replace("时间段", "报卷截止时间")
    if window and dossier and dossier[1] > window[0]:
        errors["dossier"] = "报卷截止时间不能晚于例会开始日期"
    phone = ""
    try:
        phone = validate_phone(_text(data.phone, 40))
    except ValidationError as exc:
        errors["phone"] = exc.message
    department, contact = _text(data.department, 80), _text(data.contact, 40)
    for key, value, label in (
        ("department", department, "组建部门"),
        ("contact", contact, "联系人"),
    ):
        if not value:
            errors[key] = f"{label}不能为空"
    if errors or window is None or dossier is None:
        return None, errors
    clean = CleanYearData(
        specialties=specialties,
        specialty_text=_text(data.specialties, 2000),
        meeting_period=period,
        window=window,
        dossier_period=dossier[0],
        dossier_deadline=dossier[1],
        department=department,
        contact=contact,
        phone=phone,
    )
    return clean, {}
