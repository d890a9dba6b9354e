"""Validating one nomination as typed (form or spreadsheet row) against the year's catalogue."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.catalogue.loader import SERIES
from expertpool.errors import UserError
from expertpool.models import Committee, Meeting, Nomination
from expertpool.models.enums import GENDERS, RANKS
from expertpool.validators import (
    ValidationError,
    echo,
    has_control_characters,
    id_card_birth_year,
    id_card_gender,
    validate_email,
    validate_id_card,
    validate_name,
    validate_phone,
)

# Field key -> Chinese label, used for messages next to fields and in import reports.
FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "gender": "性别",
    "id_card": "身份证号",
    "rank": "职称级别",
    "title_name": "职称名称",
    "series": "系列",
    "phone": "联系电话",
    "email": "电子邮箱",
    "committee_ids": "推荐评委会",
    "specialties": "专业",
    "recommendation": "推荐意见",
    "pledge_personal": "个人承诺",
    "pledge_unit": "单位承诺",
}
MAX_TEXT = 500
ACTIVE_STATUSES = ("已提交", "已退回", "已通过")

Clean = dict[str, Any]
Errors = dict[str, str]


@dataclass
class NominationInput:
    """One nomination as typed in a form or a spreadsheet row (unvalidated text)."""

    name: str = ""
    gender: str = ""
    id_card: str = ""
    rank: str = ""
    title_name: str = ""
    series: str = ""
    phone: str = ""
    email: str = ""
    committee_ids: list[int] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)
    recommendation: str = ""
    pledge_personal: bool = False
    pledge_unit: bool = False


class NominationInvalid(UserError):
    """Several fields failed; ``errors`` maps a field key to its Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.items()))
        super().__init__(f"「{FIELD_LABELS.get(first[0], first[0])}」{first[1]}", field=first[0])
        self.errors = errors


def year_committees(session: Session, year: int) -> list[Committee]:
    """Committees in the ``year`` catalogue, in notice order (senior first)."""
    stmt = (
        select(Committee)
        .join(Meeting, Meeting.committee_id == Committee.id)
        .where(Meeting.year == year)
        .order_by(Committee.level.desc(), Meeting.seq)
    )
    return list(session.scalars(stmt))


def _strip_label(label: str, message: str) -> str:
    if message.startswith(label):
        rest = message[len(label) :].lstrip("：:")
        return rest or message
    return message


def text_of(value: object) -> str:
    """``value`` as one line of text: whitespace runs collapsed, ends stripped."""
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _run(key: str, fn: Callable[[str], Any], raw: str, out: Clean, errors: Errors) -> None:
    """Put ``fn(raw)`` in ``out[key]``, or its message (without the field label) in errors."""
    try:
        out[key] = fn(raw)
    except ValidationError as exc:
        errors[key] = _strip_label(FIELD_LABELS[key], exc.message)


def _check_free_text(data: NominationInput, errors: Errors) -> None:
    for key in ("title_name", "recommendation", "name", "email", "phone"):
        raw = str(getattr(data, key) or "")
        if len(raw) > MAX_TEXT:
            errors[key] = f"不能超过{MAX_TEXT}个字"
        elif has_control_characters(raw):  # PostgreSQL cannot even store NUL
            errors[key] = "含有不可见的控制字符（常见于从其他软件复制的文字），请删除后重新填写"


def _check_person(
    data: NominationInput, out: Clean, errors: Errors, check_today: datetime | None
) -> None:
    """Name, phone, e-mail, 身份证号, and the gender and birth year it implies."""
    if "name" not in errors:
        _run("name", validate_name, data.name, out, errors)
    if "phone" not in errors:
        _run("phone", validate_phone, data.phone, out, errors)
    if "email" not in errors:
        _run("email", validate_email, data.email, out, errors)
    today = check_today.date() if check_today else None
    _run("id_card", lambda s: validate_id_card(s, today=today), data.id_card, out, errors)
    gender = text_of(data.gender)
    if gender not in GENDERS:
        errors["gender"] = "请选择性别（男或女）"
    elif "id_card" in out and id_card_gender(out["id_card"]) != gender:
        errors["gender"] = f"与身份证号不符（身份证号显示为{id_card_gender(out['id_card'])}）"
    else:
        out["gender"] = gender
    if "id_card" in out:
        out["birth_year"] = id_card_birth_year(out["id_card"])


def _check_title(data: NominationInput, out: Clean, errors: Errors) -> str:
    """Rank, title and series; returns the rank as typed (for the committee check)."""
    rank = text_of(data.rank)
    if rank not in RANKS:
        errors["rank"] = f"请选择职称级别（{'、'.join(reversed(RANKS))}）"
    else:
        out["rank"] = rank
    title = text_of(data.title_name)
    if "title_name" not in errors:
        if not title:
            errors["title_name"] = "不能为空（如：教授、正高级工程师）"
        elif len(title) > 60:
            errors["title_name"] = "不能超过60个字"
        else:
            out["title_name"] = title
    series = text_of(data.series)
    if series not in SERIES:
        errors["series"] = "请选择职称系列"
    else:
        out["series"] = series
    return rank


def _check_committees(
    session: Session, year: int, data: NominationInput, rank: str, out: Clean, errors: Errors
) -> list[Committee]:
    """The chosen committees of the year's catalogue; an intermediate rank only for
    intermediate committees."""
    committees = {c.id: c for c in year_committees(session, year)}
    chosen: list[Committee] = []
    for cid in dict.fromkeys(data.committee_ids):
        if cid not in committees:
            errors["committee_ids"] = f"所选评委会不在{year}年评委会目录中"
            break
        chosen.append(committees[cid])
    if not data.committee_ids:
        errors["committee_ids"] = "请至少选择一个评委会"
    elif "committee_ids" not in errors:
        out["committee_ids"] = [c.id for c in chosen]
        if rank == "中级" and any(c.level == "senior" for c in chosen):
            errors["rank"] = "中级职称人员不能推荐到高级评委会"
    return chosen


def _check_specialties(
    data: NominationInput, chosen: list[Committee], out: Clean, errors: Errors
) -> None:
    specialties = [s for s in dict.fromkeys(text_of(s) for s in data.specialties) if s]
    if not specialties:
        errors["specialties"] = "请至少选择一个专业"
    elif chosen:
        allowed = {s for c in chosen for s in c.specialties}
        bad = [s for s in specialties if s not in allowed]
        if bad:
            errors["specialties"] = f"“{echo('、'.join(bad))}”不属于所选评委会的专业"
        else:
            out["specialties"] = specialties


def _check_recommendation_and_pledges(data: NominationInput, out: Clean, errors: Errors) -> None:
    recommendation = str(data.recommendation or "").strip()
    if "recommendation" not in errors:
        if not recommendation:
            errors["recommendation"] = "请填写单位推荐意见"
        else:
            out["recommendation"] = recommendation
    if not data.pledge_personal:
        errors["pledge_personal"] = "须勾选个人承诺"
    if not data.pledge_unit:
        errors["pledge_unit"] = "须勾选单位承诺"
    out["pledge_personal"] = bool(data.pledge_personal)
    out["pledge_unit"] = bool(data.pledge_unit)


def clean_nomination(
    session: Session, year: int, data: NominationInput, *, check_today: datetime | None = None
) -> tuple[Clean, Errors]:
    """Validate one nomination; returns (clean values, errors by field key)."""
    errors: Errors = {}
    out: Clean = {}
    _check_free_text(data, errors)
    _check_person(data, out, errors, check_today)
    rank = _check_title(data, out, errors)
    chosen = _check_committees(session, year, data, rank, out, errors)
    _check_specialties(data, chosen, out, errors)
    _check_recommendation_and_pledges(data, out, errors)
    # Order errors as the fields appear on the form.
    ordered = {k: errors[k] for k in FIELD_LABELS if k in errors}
    return out, ordered


def own_duplicate(
    session: Session, year: int, unit_id: int, id_card: str, exclude_id: int | None
) -> Nomination | None:
    """The unit's active nomination of the same person this year (other than ``exclude_id``)."""
    stmt = select(Nomination).where(
        Nomination.year == year,
        Nomination.unit_id == unit_id,
        Nomination.id_card == id_card,
        Nomination.status.in_(ACTIVE_STATUSES),
    )
    if exclude_id is not None:
        stmt = stmt.where(Nomination.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def duplicate_message(dup: Nomination) -> str:
    return f"本单位今年已推荐此人（推荐编号{dup.id}，状态：{dup.status}）"
