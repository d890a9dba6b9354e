"""Load the yearly committee catalogue (评委会目录) from ``data/<year>.json``.

Each year is one JSON file, so supporting a new year means adding one more file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from expertpool.catalogue.periods import period_deadline, period_window
from expertpool.errors import UserError
from expertpool.validators import ValidationError, validate_phone
from solver.jsonstrict import DuplicateKeyError, loads_strict

__all__ = [
    "LEVELS",
    "SERIES",
    "CommitteeSpec",
    "available_years",
    "find_committee",
    "load_catalogue",
]

LEVELS: dict[str, str] = {"senior": "高级", "intermediate": "中级"}
LEVEL_CODE_LETTER: dict[str, str] = {"senior": "S", "intermediate": "M"}
SERIES: tuple[str, ...] = (
    "工程",
    "卫生",
    "农业",
    "经济",
    "中等职业学校教师",
    "中小学教师",
    "技工学校教师",
    "广电新闻",
    "体育",
    "党校教师",
    "艺术",
    "高校教育管理研究",
    "实验技术",
)
# Committee counts as published; years not listed only need at least one committee.
EXPECTED_COMMITTEE_COUNTS: dict[int, int] = {2024: 30}

_DATA_PACKAGE = "expertpool.catalogue"
_YEAR_FILE_RE = re.compile(r"([0-9]{4})\.json")


@dataclass(frozen=True)
class CommitteeSpec:
    """One review committee (评委会) as planned in the yearly notice."""

    code: str
    seq: int
    name: str
    level: str
    series: str
    specialties: tuple[str, ...]
    specialty_text: str
    narrow: bool
    meeting_period: str
    dossier_deadline_period: str
    department: str
    contact: str
    phone: str
    window: tuple[date, date]
    dossier_deadline: date

    @property
    def level_label(self) -> str:
        """'高级' or '中级'."""
        return LEVELS[self.level]


def _data_dir() -> Any:
    return resources.files(_DATA_PACKAGE).joinpath("data")


def available_years() -> list[int]:
    """Years that have a catalogue file, ascending."""
    years = []
    for entry in _data_dir().iterdir():
        match = _YEAR_FILE_RE.fullmatch(entry.name)
        if match and entry.is_file():
            years.append(int(match.group(1)))
    return sorted(years)


def _bad(year: int, detail: str) -> UserError:
    return UserError(f"{year}年评委会目录数据有误：{detail}", field="评委会目录")


def _text(year: int, raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _bad(year, f"评委会{raw.get('code', '?')}缺少“{key}”")
    return value.strip()


def _build_spec(year: int, raw: dict[str, Any]) -> CommitteeSpec:
    if not isinstance(raw, dict):
        raise _bad(year, "评委会条目应为对象")
    code = _text(year, raw, "code")
    level = _text(year, raw, "level")
    if level not in LEVELS:
        raise _bad(year, f"评委会{code}的级别“{level}”无效")
    seq = raw.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise _bad(year, f"评委会{code}的序号无效")
    if code != f"{year}-{LEVEL_CODE_LETTER[level]}{seq:02d}":
        raise _bad(year, f"评委会代码{code}与年份、级别、序号不符")
    series = _text(year, raw, "series")
    if series not in SERIES:
        raise _bad(year, f"评委会{code}的系列“{series}”无效")
    specialties = raw.get("specialties")
    if (
        not isinstance(specialties, list)
        or not specialties
        or not all(isinstance(s, str) and s.strip() for s in specialties)
    ):
        raise _bad(year, f"评委会{code}的专业列表为空或格式错误")
    specialties = [s.strip() for s in specialties]
    if len(set(specialties)) != len(specialties):
        raise _bad(year, f"评委会{code}的专业列表有重复")
    narrow = raw.get("narrow")
    if not isinstance(narrow, bool):
        raise _bad(year, f"评委会{code}缺少“narrow”")
    meeting_period = _text(year, raw, "meeting_period")
    deadline_period = _text(year, raw, "dossier_deadline_period")
    try:
        window = period_window(year, meeting_period)
        dossier_deadline = period_deadline(year, deadline_period)
        phone = validate_phone(_text(year, raw, "phone"))
    except ValidationError as exc:
        raise _bad(year, f"评委会{code}：{exc.message}") from exc
    return CommitteeSpec(
        code=code,
        seq=seq,
        name=_text(year, raw, "name"),
        level=level,
        series=series,
        specialties=tuple(specialties),
        specialty_text=_text(year, raw, "specialty_text"),
        narrow=narrow,
        meeting_period=meeting_period,
        dossier_deadline_period=deadline_period,
        department=_text(year, raw, "department"),
        contact=_text(year, raw, "contact"),
        phone=phone,
        window=window,
        dossier_deadline=dossier_deadline,
    )


@cache
def _load(year: int) -> tuple[CommitteeSpec, ...]:
    if year not in available_years():
        raise UserError(f"没有{year}年的评委会目录", field="年份")
    path = _data_dir().joinpath(f"{year}.json")
    try:
        document = loads_strict(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _bad(year, f"JSON格式错误（第{exc.lineno}行）") from exc
    except DuplicateKeyError as exc:
        raise _bad(year, f"字段“{exc.key}”在同一对象中出现了两次") from exc
    if not isinstance(document, dict) or document.get("year") != year:
        raise _bad(year, "文件中的年份与文件名不一致")
    raw_committees = document.get("committees")
    if not isinstance(raw_committees, list) or not raw_committees:
        raise _bad(year, "没有评委会")
    specs = tuple(_build_spec(year, raw) for raw in raw_committees)
    codes = [spec.code for spec in specs]
    if len(set(codes)) != len(codes):
        raise _bad(year, "评委会代码重复")
    expected = EXPECTED_COMMITTEE_COUNTS.get(year)
    if expected is not None and len(specs) != expected:
        raise _bad(year, f"应有{expected}个评委会，实际为{len(specs)}个")
    for level, letter in LEVEL_CODE_LETTER.items():
        seqs = [spec.seq for spec in specs if spec.level == level]
        if seqs != list(range(1, len(seqs) + 1)):
            raise _bad(year, f"{LEVELS[level]}评委会序号（{letter}）应从1开始连续排列")
    return specs


def load_catalogue(year: int) -> list[CommitteeSpec]:
    """All committees of ``year`` in notice order (senior first, then intermediate)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise UserError(f"没有{year}年的评委会目录", field="年份")
    return list(_load(year))


def find_committee(year: int, code: str) -> CommitteeSpec:
    """The committee with ``code`` (e.g. "2024-S01") in the ``year`` catalogue."""
    for spec in load_catalogue(year):
        if spec.code == code:
            return spec
    raise UserError(f"{year}年评委会目录中没有代码为{code}的评委会", field="评委会")
