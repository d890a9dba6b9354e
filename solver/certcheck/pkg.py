"""The package as draw-format.md §1 writes it, read with the standard library alone.

Only what the certificate check needs is kept; every field it reads is checked and bad input
names the field (exit 2). Written from the contract, independently of solver/package.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from solver.certcheck import jsonin as J
from solver.certcheck.errors import BadInput

RANKS = {"中级": 0, "副高级": 1, "正高级": 2}
KINDS = ("高校", "企业", "事业单位", "医疗机构", "社会组织", "其他")


@dataclass(frozen=True)
class Expert:
    id: str
    unit: str
    kind: str
    rank: str
    specialties: frozenset[str]
    served: frozenset[int]
    available: bool
    birth: dt.date | None


@dataclass(frozen=True)
class Applicant:
    id: str
    unit: str
    specialty: str
    group: str | None


@dataclass
class Pkg:
    sha256: str
    meeting: str
    year: int
    start: dt.date | None
    rules: dict[str, Any]
    experts: list[Expert]
    applicants: list[Applicant]
    conflicts: set[tuple[str, str]]
    groups: dict[str, list[str]]
    by_id: dict[str, Expert] = field(default_factory=dict)

    def conflicted(self, e: Expert, a: Applicant) -> bool:
        same = bool(self.rules["recuse_same_unit"]) and e.unit == a.unit
        return same or (e.id, a.id) in self.conflicts


def need(share: Fraction, n: int) -> int:
    """ceil(share × n), exactly."""
    p = share * n
    return -((-p.numerator) // p.denominator)


def fraction(value: object, path: str) -> Fraction:
    if isinstance(value, str):
        parts = value.split("/")
        if len(parts) == 2 and all(p.strip().isascii() and p.strip().isdigit() for p in parts):
            a, b = int(parts[0]), int(parts[1])
            if b > 0 and a <= b:
                return Fraction(a, b)
    raise BadInput(f"{path}：应为形如“a/b”的分数字符串（0 ≤ a/b ≤ 1）")


def _date(value: object, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(J.string(value, path))
    except ValueError:
        raise BadInput(f"{path}：应为 ISO 日期（如 2024-10-21）") from None


def _rank(value: object, path: str) -> str:
    if value not in RANKS:
        raise BadInput(f"{path}：未知的职称级别“{value}”")
    return str(value)


def _counts(value: object, path: str) -> dict[str, int]:
    out = {}
    for k, v in J.obj(value, path).items():
        out[k] = J.integer(v, f"{path}.{k}")
    return out


def _optional(r: dict[str, Any], key: str) -> Any:
    return r.get(key)


def _rules(raw: object) -> dict[str, Any]:
    r = J.obj(raw, "rules")
    if "panel_size" not in r or "min_rank" not in r:
        raise BadInput("rules：缺少必填字段 panel_size 或 min_rank")
    n = J.integer(r["panel_size"], "rules.panel_size", 1, 1000)
    if n < 3 or n % 2 == 0:
        raise BadInput(f"rules.panel_size：评委人数应为不少于3的单数，实际为{n}")
    out: dict[str, Any] = {"panel_size": n, "min_rank": _rank(r["min_rank"], "rules.min_rank")}
    out["alternates"] = J.integer(r.get("alternates", 0), "rules.alternates")
    for key in ("min_full_senior_share", "min_voters_share"):
        out[key] = fraction(r.get(key, "0/1"), f"rules.{key}")
    cap = r.get("max_per_unit")
    out["max_per_unit"] = None if cap is None else J.integer(cap, "rules.max_per_unit")
    for key in ("min_per_unit_kind", "specialty_demand"):
        out[key] = _counts(r.get(key, {}), f"rules.{key}")
    recuse = r.get("recuse_same_unit", False)
    if not isinstance(recuse, bool):
        raise BadInput("rules.recuse_same_unit：应为 true 或 false")
    out["recuse_same_unit"] = recuse
    for key in ("min_specialist_voters", "min_group_members"):
        out[key] = J.integer(r.get(key, 0), f"rules.{key}")
    k = r.get("max_consecutive_years")
    out["max_consecutive_years"] = (
        None if k is None else J.integer(k, "rules.max_consecutive_years", 1)
    )
    age = r.get("max_age")
    out["max_age"] = None if age is None else J.integer(age, "rules.max_age", 30, 100)
    under = r.get("min_share_under_age")
    if under is not None:
        u = J.obj(under, "rules.min_share_under_age")
        under = (
            J.integer(u.get("age"), "rules.min_share_under_age.age", 30, 100),
            fraction(u.get("share"), "rules.min_share_under_age.share"),
        )
    out["min_share_under_age"] = under
    return out


def _expert(raw: object, i: int, ages: bool) -> Expert:
    path = f"experts[{i}]"
    e = J.obj(raw, path)
    kind = e.get("unit_kind", "其他")
    if kind not in KINDS:
        raise BadInput(f"{path}.unit_kind：未知的单位类别“{kind}”")
    served = J.arr(e.get("served", []), f"{path}.served")
    available = e.get("available", True)
    if not isinstance(available, bool):
        raise BadInput(f"{path}.available：应为 true 或 false")
    birth = e.get("birth_date")
    if birth is None and ages:
        raise BadInput(f"{path}.birth_date：适用年龄规则时每名专家都须填写出生日期")
    return Expert(
        id=J.string(e.get("id"), f"{path}.id"),
        unit=J.string(e.get("unit"), f"{path}.unit"),
        kind=str(kind),
        rank=_rank(e.get("rank"), f"{path}.rank"),
        specialties=frozenset(J.strings(e.get("specialties", []), f"{path}.specialties")),
        served=frozenset(
            J.integer(y, f"{path}.served[{j}]", 1900, 3000) for j, y in enumerate(served)
        ),
        available=available,
        birth=None if birth is None else _date(birth, f"{path}.birth_date"),
    )


def _applicant(raw: object, i: int) -> Applicant:
    path = f"applicants[{i}]"
    a = J.obj(raw, path)
    group = a.get("group")
    return Applicant(
        id=J.string(a.get("id"), f"{path}.id"),
        unit=J.string(a.get("unit"), f"{path}.unit"),
        specialty=J.string(a.get("specialty"), f"{path}.specialty"),
        group=None if group is None else J.string(group, f"{path}.group"),
    )


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise BadInput(f"{what}[{i}].id：编号“{x}”重复")
        seen.add(x)


def _meeting(doc: dict[str, Any], ages: bool) -> tuple[str, int, dt.date | None]:
    m = J.obj(doc.get("meeting"), "meeting")
    window = m.get("window")
    start = None
    if window is not None:
        w = J.arr(window, "meeting.window")
        if len(w) != 2:
            raise BadInput("meeting.window：应为[开始日期, 结束日期]")
        start = _date(w[0], "meeting.window[0]")
        _date(w[1], "meeting.window[1]")
    if ages and start is None:
        raise BadInput("meeting.window：适用年龄规则时必须填写例会时间")
    return J.string(m.get("id"), "meeting.id"), J.integer(m.get("year"), "meeting.year"), start


def _groups(doc: dict[str, Any], rules: dict[str, Any], apps: list[Applicant]) -> dict[str, Any]:
    raw = doc.get("groups", {})
    groups = {k: J.strings(v, f"groups.{k}") for k, v in J.obj(raw, "groups").items()}
    if rules["min_group_members"] > 0:
        for i, a in enumerate(apps):
            if a.group is not None and a.group not in groups:
                raise BadInput(f"applicants[{i}].group：评议组“{a.group}”不在 groups 中")
    return groups


def read_package(data: bytes) -> Pkg:
    doc = J.obj(J.load(data, "抽取包"), "抽取包")
    if doc.get("format") != "expertpool.draw/1":
        raise BadInput(f"format：格式标记应为“expertpool.draw/1”，实际为“{doc.get('format')}”")
    rules = _rules(doc.get("rules"))
    ages = rules["max_age"] is not None or rules["min_share_under_age"] is not None
    meeting, year, start = _meeting(doc, ages)
    experts = [_expert(e, i, ages) for i, e in enumerate(J.arr(doc.get("experts"), "experts"))]
    _unique([e.id for e in experts], "experts")
    apps = [_applicant(a, i) for i, a in enumerate(J.arr(doc.get("applicants", []), "applicants"))]
    _unique([a.id for a in apps], "applicants")
    by_id = {e.id: e for e in experts}
    app_ids = {a.id for a in apps}
    conflicts = set()
    for i, c in enumerate(J.arr(doc.get("conflicts", []), "conflicts")):
        c = J.obj(c, f"conflicts[{i}]")
        e = J.string(c.get("expert"), f"conflicts[{i}].expert")
        a = J.string(c.get("applicant"), f"conflicts[{i}].applicant")
        if e not in by_id:
            raise BadInput(f"conflicts[{i}].expert：专家“{e}”不在专家库中")
        if a not in app_ids:
            raise BadInput(f"conflicts[{i}].applicant：申报人“{a}”不在申报人名单中")
        conflicts.add((e, a))
    return Pkg(
        sha256=hashlib.sha256(data).hexdigest(),
        meeting=meeting,
        year=year,
        start=start,
        rules=rules,
        experts=experts,
        applicants=apps,
        conflicts=conflicts,
        groups=_groups(doc, rules, apps),
        by_id=by_id,
    )


def age(pkg: Pkg, e: Expert) -> int:
    assert e.birth is not None and pkg.start is not None
    day, b = pkg.start, e.birth
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def ineligible(pkg: Pkg, e: Expert) -> str | None:
    """Why the expert may not sit (§1 eligibility), or None."""
    r = pkg.rules
    if not e.available:
        return "不可抽取（available 为 false）"
    if RANKS[e.rank] < RANKS[r["min_rank"]]:
        return f"职称“{e.rank}”低于“{r['min_rank']}”"
    k = r["max_consecutive_years"]
    if k is not None and all(pkg.year - j in e.served for j in range(1, k + 1)):
        return f"已连续{k}年参会"
    if r["max_age"] is not None and age(pkg, e) > r["max_age"]:
        return f"年龄超过{r['max_age']}周岁"
    return None
