"""Parse and validate an `expertpool.draw/1` package (bytes → frozen dataclasses).

Every validation failure raises `PackageError` with one Chinese line that names the field,
e.g. `experts[3].rank：未知职称级别“教授”（应为 中级/副高级/正高级）`. Experts, applicants and
conflicts are sorted by id internally, so nothing downstream depends on the file's order.
The `rules` object is read parameter by parameter from the registry (solver/registry.py).
"""

from __future__ import annotations

from typing import Any

from solver.contract import (
    LEVELS,
    RANK_LEVEL,
    RANKS,
    UNIT_KINDS,
    Applicant,
    Conflict,
    Expert,
    Meeting,
    Package,
    Rules,
)
from solver.errors import PackageError
from solver.reader import MAX_INT, R, decode_json, open_document, shown
from solver.registry import parse_rules, validate
from solver.settings import parse_rank

FORMAT = "expertpool.draw/1"

__all__ = [
    "FORMAT",
    "LEVELS",
    "MAX_INT",
    "RANKS",
    "RANK_LEVEL",
    "UNIT_KINDS",
    "Applicant",
    "Conflict",
    "Expert",
    "Meeting",
    "Package",
    "R",
    "Rules",
    "decode_json",
    "parse_expert",
    "parse_package",
]


def _parse_window(value: object) -> tuple[str, str]:
    arr = R.array(value, "meeting.window")
    if len(arr) != 2:
        raise PackageError(
            "meeting.window：应为[开始日期, 结束日期]两个日期", field="meeting.window"
        )
    R.date(arr[0], "meeting.window[0]")
    R.date(arr[1], "meeting.window[1]")
    first, last = str(arr[0]), str(arr[1])
    if first > last:  # ISO dates compare as text
        raise PackageError("meeting.window：开始日期晚于结束日期", field="meeting.window")
    return first, last


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
    win = None if window is None else _parse_window(window)
    return Meeting(id=mid, year=year, level=level, committee=committee, window=win)


def _parse_kind(value: object, path: str) -> str:
    if value is None:
        return "其他"
    if value not in UNIT_KINDS:
        raise PackageError(
            f"{path}：未知单位类别“{shown(value)}”（应为 {'/'.join(UNIT_KINDS)}）", field=path
        )
    assert isinstance(value, str)
    return value


def parse_expert(raw: object, i: int) -> Expert:
    p = f"experts[{i}]"
    obj = R.obj(raw, p)
    eid = R.string(R.require(obj, "id", f"{p}.id"), f"{p}.id")
    unit = R.string(R.require(obj, "unit", f"{p}.unit"), f"{p}.unit")
    rank = parse_rank(R.require(obj, "rank", f"{p}.rank"), f"{p}.rank")
    kind = _parse_kind(obj.get("unit_kind"), f"{p}.unit_kind")
    name = obj.get("name")
    name = "" if name is None else R.string(name, f"{p}.name", empty_ok=True)
    specs = R.array(obj.get("specialties", []), f"{p}.specialties")
    specialties = tuple(sorted({R.string(s, f"{p}.specialties[{j}]") for j, s in enumerate(specs)}))
    served_raw = R.array(obj.get("served", []), f"{p}.served")
    served = frozenset(
        R.integer(y, f"{p}.served[{j}]", minimum=1) for j, y in enumerate(served_raw)
    )
    available = R.boolean(obj.get("available", True), f"{p}.available")
    birth = obj.get("birth_date")
    return Expert(
        id=eid,
        unit=unit,
        rank=rank,
        unit_kind=kind,
        name=name,
        specialties=specialties,
        served=served,
        available=available,
        birth_date=None if birth is None else R.date(birth, f"{p}.birth_date"),
    )


def _parse_applicant(raw: object, i: int) -> Applicant:
    p = f"applicants[{i}]"
    obj = R.obj(raw, p)
    group = obj.get("group")
    return Applicant(
        id=R.string(R.require(obj, "id", f"{p}.id"), f"{p}.id"),
        unit=R.string(R.require(obj, "unit", f"{p}.unit"), f"{p}.unit"),
        specialty=R.string(R.require(obj, "specialty", f"{p}.specialty"), f"{p}.specialty"),
        group=None if group is None else R.string(group, f"{p}.group"),
    )


def _parse_groups(top: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The package's `groups` (评议组 → specialties); left out: no groups."""
    out: dict[str, tuple[str, ...]] = {}
    for name, specs in R.obj(top.get("groups", {}), "groups").items():
        path = f"groups.{name}"
        if not name.strip():
            raise PackageError("groups：评议组名称不能为空", field="groups")
        items = R.array(specs, path)
        out[name] = tuple(sorted({R.string(s, f"{path}[{j}]") for j, s in enumerate(items)}))
    return tuple(sorted(out.items()))


def _parse_experts(top: dict[str, Any]) -> tuple[dict[str, Expert], dict[str, int]]:
    experts: dict[str, Expert] = {}
    index: dict[str, int] = {}
    for i, raw in enumerate(R.array(R.require(top, "experts", "experts"), "experts")):
        expert = parse_expert(raw, i)
        if expert.id in experts:
            raise PackageError(
                f"experts[{i}].id：专家编号“{expert.id}”重复", field=f"experts[{i}].id"
            )
        experts[expert.id] = expert
        index[expert.id] = i
    return experts, index


def _parse_applicants(top: dict[str, Any]) -> dict[str, Applicant]:
    applicants: dict[str, Applicant] = {}
    for i, raw in enumerate(R.array(top.get("applicants", []), "applicants")):
        app = _parse_applicant(raw, i)
        if app.id in applicants:
            raise PackageError(
                f"applicants[{i}].id：申报人编号“{app.id}”重复", field=f"applicants[{i}].id"
            )
        applicants[app.id] = app
    return applicants


def _parse_conflicts(
    top: dict[str, Any], experts: dict[str, Expert], applicants: dict[str, Applicant]
) -> set[Conflict]:
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
    return conflicts


def parse_package(data: bytes) -> Package:
    """Parse and validate a draw package from the bytes of its file."""
    sha, top = open_document(data, FORMAT, "抽取包", caller="parse_package")
    meeting = _parse_meeting(R.require(top, "meeting", "meeting"))
    rules = parse_rules(R.require(top, "rules", "rules"))
    experts, index = _parse_experts(top)
    applicants = _parse_applicants(top)
    conflicts = _parse_conflicts(top, experts, applicants)
    ordered = tuple(experts[k] for k in sorted(experts))
    pkg = Package(
        meeting=meeting,
        rules=rules,
        experts=ordered,
        applicants=tuple(applicants[k] for k in sorted(applicants)),
        conflicts=tuple(sorted(conflicts, key=lambda c: (c.expert, c.applicant, c.reason))),
        instance_sha256=sha,
        expert_by_id={e.id: e for e in ordered},
        conflict_pairs=frozenset((c.expert, c.applicant) for c in conflicts),
        file_index=index,
        groups=_parse_groups(top),
    )
    validate(pkg)
    return pkg
