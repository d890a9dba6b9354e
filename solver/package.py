"""Parse and validate an `expertpool.draw/1` package (bytes → frozen dataclasses).

Every validation failure raises `PackageError` with one Chinese line that names the field,
e.g. `experts[3].rank：未知职称级别“教授”（应为 中级/副高级/正高级）`. Experts, applicants and
conflicts are sorted by id internally, so nothing downstream depends on the file's order.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from solver.errors import PackageError
from solver.exact import parse_fraction

FORMAT = "expertpool.draw/1"
RANKS: tuple[str, ...] = ("中级", "副高级", "正高级")
RANK_LEVEL: dict[str, int] = {name: i for i, name in enumerate(RANKS)}
UNIT_KINDS: tuple[str, ...] = ("高校", "企业", "事业单位", "医疗机构", "社会组织", "其他")
LEVELS: tuple[str, ...] = ("senior", "intermediate")
# Largest integer accepted anywhere in a package: far above any real count or year, and
# small enough that no rule can build a huge model or set from it.
MAX_INT = 1_000_000


@dataclass(frozen=True)
class Meeting:
    id: str
    year: int
    level: str | None = None
    committee: str | None = None
    window: tuple[str, str] | None = None


@dataclass(frozen=True)
class Rules:
    panel_size: int
    min_rank: str
    alternates: int = 0
    min_full_senior_share: Fraction = Fraction(0)
    max_per_unit: int | None = None
    min_per_unit_kind: tuple[tuple[str, int], ...] = ()
    specialty_demand: tuple[tuple[str, int], ...] = ()
    recuse_same_unit: bool = False
    min_voters_share: Fraction = Fraction(0)
    min_specialist_voters: int = 0
    max_consecutive_years: int | None = None


@dataclass(frozen=True)
class Expert:
    id: str
    unit: str
    rank: str
    unit_kind: str = "其他"
    name: str = ""
    specialties: tuple[str, ...] = ()
    served: frozenset[int] = frozenset()
    available: bool = True


@dataclass(frozen=True)
class Applicant:
    id: str
    unit: str
    specialty: str


@dataclass(frozen=True)
class Conflict:
    expert: str
    applicant: str
    reason: str = ""


@dataclass(frozen=True)
class Package:
    meeting: Meeting
    rules: Rules
    experts: tuple[Expert, ...]
    applicants: tuple[Applicant, ...]
    conflicts: tuple[Conflict, ...]
    instance_sha256: str
    expert_by_id: dict[str, Expert] = field(repr=False, compare=False, default_factory=dict)

    @property
    def panel_size(self) -> int:
        return self.rules.panel_size


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_name(value: object) -> str:
    return {
        dict: "对象",
        list: "数组",
        str: "字符串",
        bool: "布尔值",
        int: "整数",
        float: "小数",
        type(None): "null",
    }.get(type(value), type(value).__name__)


class _Reader:
    """Small typed accessors that raise PackageError naming the field path."""

    @staticmethod
    def obj(value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise PackageError(f"{path}：应为对象，实际为{_type_name(value)}", field=path)
        return value

    @staticmethod
    def require(obj: dict[str, Any], key: str, path: str) -> Any:
        if key not in obj:
            raise PackageError(f"{path}：缺少必填字段", field=path)
        return obj[key]

    @staticmethod
    def string(value: object, path: str, *, empty_ok: bool = False) -> str:
        if not isinstance(value, str):
            raise PackageError(f"{path}：应为字符串，实际为{_type_name(value)}", field=path)
        if not empty_ok and not value.strip():
            raise PackageError(f"{path}：不能为空", field=path)
        return value

    @staticmethod
    def integer(
        value: object, path: str, *, minimum: int | None = 0, maximum: int = MAX_INT
    ) -> int:
        if not _is_int(value):
            raise PackageError(f"{path}：应为整数，实际为{_type_name(value)}", field=path)
        assert isinstance(value, int)
        if minimum is not None and value < minimum:
            raise PackageError(f"{path}：应为不小于{minimum}的整数，实际为{value}", field=path)
        if value > maximum:
            raise PackageError(f"{path}：应为不大于{maximum}的整数，实际为{value}", field=path)
        return value

    @staticmethod
    def boolean(value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise PackageError(f"{path}：应为 true 或 false，实际为{_type_name(value)}", field=path)
        return value

    @staticmethod
    def array(value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise PackageError(f"{path}：应为数组，实际为{_type_name(value)}", field=path)
        return value

    @staticmethod
    def fraction(value: object, path: str) -> Fraction:
        try:
            parsed = parse_fraction(value)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            parsed = None
        if parsed is None:
            shown = json.dumps(value, ensure_ascii=False)
            raise PackageError(
                f"{path}：分数格式错误 {shown}（应为字符串“a/b”，b>0 且 0≤a/b≤1）", field=path
            )
        return parsed


R = _Reader


def decode_json(data: bytes, what: str) -> Any:
    """Bytes → JSON value; raise PackageError for non-UTF-8 or invalid JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackageError(f"{what}：不是 UTF-8 编码的文本（第{exc.start}字节）") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(
            f"{what}：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）"
        ) from None
    except RecursionError:
        raise PackageError(f"{what}：不是有效的 JSON（嵌套过深）") from None
    except ValueError:  # e.g. an integer literal with more digits than Python converts
        raise PackageError(f"{what}：不是有效的 JSON（数字位数过多）") from None


def _parse_rank(value: object, path: str) -> str:
    if not isinstance(value, str) or value not in RANK_LEVEL:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        raise PackageError(f"{path}：未知职称级别“{shown}”（应为 {'/'.join(RANKS)}）", field=path)
    assert isinstance(value, str)
    return value


def _parse_date(value: object, path: str) -> str:
    text = R.string(value, path)
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        raise PackageError(f"{path}：日期格式错误“{text}”（应为 YYYY-MM-DD）", field=path) from None
    return text


def _parse_meeting(raw: object) -> Meeting:
    obj = R.obj(raw, "meeting")
    mid = R.string(R.require(obj, "id", "meeting.id"), "meeting.id")
    year = R.integer(R.require(obj, "year", "meeting.year"), "meeting.year", minimum=1)
    level = obj.get("level")
    if level is not None and level not in LEVELS:
        raise PackageError(
            f"meeting.level：未知评委会级别“{level}”（应为 senior/intermediate）",
            field="meeting.level",
        )
    committee = obj.get("committee")
    if committee is not None:
        R.string(committee, "meeting.committee", empty_ok=True)
    window = obj.get("window")
    win: tuple[str, str] | None = None
    if window is not None:
        arr = R.array(window, "meeting.window")
        if len(arr) != 2:
            raise PackageError(
                "meeting.window：应为[开始日期, 结束日期]两个日期", field="meeting.window"
            )
        first = _parse_date(arr[0], "meeting.window[0]")
        last = _parse_date(arr[1], "meeting.window[1]")
        if first > last:
            raise PackageError("meeting.window：开始日期晚于结束日期", field="meeting.window")
        win = (first, last)
    return Meeting(id=mid, year=year, level=level, committee=committee, window=win)


def _parse_count_map(value: object, path: str, *, kinds: bool) -> tuple[tuple[str, int], ...]:
    obj = R.obj(value, path)
    out: dict[str, int] = {}
    for key, count in obj.items():
        sub = f"{path}.{key}"
        if kinds and key not in UNIT_KINDS:
            raise PackageError(
                f"{sub}：未知单位类别“{key}”（应为 {'/'.join(UNIT_KINDS)}）", field=sub
            )
        if not kinds and not key.strip():
            raise PackageError(f"{path}：专业名称不能为空", field=path)
        out[key] = R.integer(count, sub)
    return tuple(sorted(out.items()))


def _parse_rules(raw: object) -> Rules:
    obj = R.obj(raw, "rules")
    n = R.integer(R.require(obj, "panel_size", "rules.panel_size"), "rules.panel_size")
    if n < 3 or n % 2 == 0:
        raise PackageError(
            f"rules.panel_size：评委会人数应为不小于3的单数，实际为{n}", field="rules.panel_size"
        )
    min_rank = _parse_rank(R.require(obj, "min_rank", "rules.min_rank"), "rules.min_rank")
    kw: dict[str, Any] = {"panel_size": n, "min_rank": min_rank}
    if "alternates" in obj:
        kw["alternates"] = R.integer(obj["alternates"], "rules.alternates")
    for key in ("min_full_senior_share", "min_voters_share"):
        if key in obj:
            kw[key] = R.fraction(obj[key], f"rules.{key}")
    if obj.get("max_per_unit") is not None:
        kw["max_per_unit"] = R.integer(obj["max_per_unit"], "rules.max_per_unit")
    if "min_per_unit_kind" in obj:
        kw["min_per_unit_kind"] = _parse_count_map(
            obj["min_per_unit_kind"], "rules.min_per_unit_kind", kinds=True
        )
    if "specialty_demand" in obj:
        kw["specialty_demand"] = _parse_count_map(
            obj["specialty_demand"], "rules.specialty_demand", kinds=False
        )
    if "recuse_same_unit" in obj:
        kw["recuse_same_unit"] = R.boolean(obj["recuse_same_unit"], "rules.recuse_same_unit")
    if "min_specialist_voters" in obj:
        kw["min_specialist_voters"] = R.integer(
            obj["min_specialist_voters"], "rules.min_specialist_voters"
        )
    if obj.get("max_consecutive_years") is not None:
        kw["max_consecutive_years"] = R.integer(
            obj["max_consecutive_years"], "rules.max_consecutive_years", minimum=1
        )
    return Rules(**kw)


def _parse_expert(raw: object, i: int) -> Expert:
    p = f"experts[{i}]"
    obj = R.obj(raw, p)
    eid = R.string(R.require(obj, "id", f"{p}.id"), f"{p}.id")
    unit = R.string(R.require(obj, "unit", f"{p}.unit"), f"{p}.unit")
    rank = _parse_rank(R.require(obj, "rank", f"{p}.rank"), f"{p}.rank")
    kind = obj.get("unit_kind")
    if kind is None:
        kind = "其他"
    elif kind not in UNIT_KINDS:
        shown = kind if isinstance(kind, str) else json.dumps(kind, ensure_ascii=False)
        raise PackageError(
            f"{p}.unit_kind：未知单位类别“{shown}”（应为 {'/'.join(UNIT_KINDS)}）",
            field=f"{p}.unit_kind",
        )
    name = obj.get("name")
    name = "" if name is None else R.string(name, f"{p}.name", empty_ok=True)
    specs = R.array(obj.get("specialties", []), f"{p}.specialties")
    specialties = tuple(sorted({R.string(s, f"{p}.specialties[{j}]") for j, s in enumerate(specs)}))
    served_raw = R.array(obj.get("served", []), f"{p}.served")
    served = frozenset(
        R.integer(y, f"{p}.served[{j}]", minimum=1) for j, y in enumerate(served_raw)
    )
    available = R.boolean(obj.get("available", True), f"{p}.available")
    return Expert(
        id=eid,
        unit=unit,
        rank=rank,
        unit_kind=kind,
        name=name,
        specialties=specialties,
        served=served,
        available=available,
    )


def _parse_applicant(raw: object, i: int) -> Applicant:
    p = f"applicants[{i}]"
    obj = R.obj(raw, p)
    return Applicant(
        id=R.string(R.require(obj, "id", f"{p}.id"), f"{p}.id"),
        unit=R.string(R.require(obj, "unit", f"{p}.unit"), f"{p}.unit"),
        specialty=R.string(R.require(obj, "specialty", f"{p}.specialty"), f"{p}.specialty"),
    )


def parse_package(data: bytes) -> Package:
    """Parse and validate a draw package from the bytes of its file."""
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_package expects bytes")
    sha = hashlib.sha256(bytes(data)).hexdigest()
    doc = decode_json(bytes(data), "抽取包")
    top = R.obj(doc, "抽取包")
    fmt = R.require(top, "format", "format")
    if fmt != FORMAT:
        shown = fmt if isinstance(fmt, str) else json.dumps(fmt, ensure_ascii=False)
        raise PackageError(f"format：格式标记应为“{FORMAT}”，实际为“{shown}”", field="format")
    meeting = _parse_meeting(R.require(top, "meeting", "meeting"))
    rules = _parse_rules(R.require(top, "rules", "rules"))

    experts: dict[str, Expert] = {}
    for i, raw in enumerate(R.array(R.require(top, "experts", "experts"), "experts")):
        expert = _parse_expert(raw, i)
        if expert.id in experts:
            raise PackageError(
                f"experts[{i}].id：专家编号“{expert.id}”重复", field=f"experts[{i}].id"
            )
        experts[expert.id] = expert

    applicants: dict[str, Applicant] = {}
    for i, raw in enumerate(R.array(top.get("applicants", []), "applicants")):
        app = _parse_applicant(raw, i)
        if app.id in applicants:
            raise PackageError(
                f"applicants[{i}].id：申报人编号“{app.id}”重复", field=f"applicants[{i}].id"
            )
        applicants[app.id] = app

    conflicts: set[Conflict] = set()
    for i, raw in enumerate(R.array(top.get("conflicts", []), "conflicts")):
        p = f"conflicts[{i}]"
        obj = R.obj(raw, p)
        eid = R.string(R.require(obj, "expert", f"{p}.expert"), f"{p}.expert")
        aid = R.string(R.require(obj, "applicant", f"{p}.applicant"), f"{p}.applicant")
        if eid not in experts:
            raise PackageError(f"{p}.expert：专家“{eid}”不在 experts 中", field=f"{p}.expert")
        if aid not in applicants:
            raise PackageError(
                f"{p}.applicant：申报人“{aid}”不在 applicants 中", field=f"{p}.applicant"
            )
        reason = obj.get("reason")
        reason = "" if reason is None else R.string(reason, f"{p}.reason", empty_ok=True)
        conflicts.add(Conflict(expert=eid, applicant=aid, reason=reason))

    ordered = tuple(experts[k] for k in sorted(experts))
    return Package(
        meeting=meeting,
        rules=rules,
        experts=ordered,
        applicants=tuple(applicants[k] for k in sorted(applicants)),
        conflicts=tuple(sorted(conflicts, key=lambda c: (c.expert, c.applicant, c.reason))),
        instance_sha256=sha,
        expert_by_id={e.id: e for e in ordered},
    )
