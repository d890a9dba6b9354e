"""Parse an `expertpool.season/1` file and project it onto one `expertpool.draw/1` per meeting.

The projection is the contract's: a meeting's pool's experts with `served` taken for that
meeting, and only the conflicts whose expert is in that pool. Its canonical bytes are what
each meeting's panel is verified against.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

from solver.contract import Package, canonical_bytes
from solver.errors import PackageError
from solver.package import parse_expert, parse_package
from solver.reader import R, open_document
from solver.season.rules import max_panels_per_expert

FORMAT = "expertpool.season/1"


@dataclass(frozen=True)
class SeasonMeeting:
    id: str
    start: _dt.date
    end: _dt.date
    pkg: Package
    projection: bytes

    def overlaps(self, other: SeasonMeeting) -> bool:
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True)
class Season:
    year: int
    max_panels: int | None
    meetings: tuple[SeasonMeeting, ...]  # by (window start, id): the season's priority order
    sha256: str

    def by_id(self) -> dict[str, SeasonMeeting]:
        return {m.id: m for m in self.meetings}


projection_bytes = canonical_bytes  # the projection is hashed like any package


def _prefixed(exc: PackageError, prefix: str) -> PackageError:
    msg = exc.message
    field = exc.field or ""
    # The projection's own `meeting.` fields are the season meeting's fields.
    for old in ("meeting.",):
        if msg.startswith(old):
            msg, field = msg[len(old) :], field[len(old) :]
    return PackageError(f"{prefix}.{msg}", field=f"{prefix}.{field}" if field else prefix)


def _window(obj: dict[str, Any], path: str) -> tuple[_dt.date, _dt.date]:
    arr = R.array(R.require(obj, "window", f"{path}.window"), f"{path}.window")
    if len(arr) != 2:
        raise PackageError(
            f"{path}.window：应为[开始日期, 结束日期]两个日期", field=f"{path}.window"
        )
    days = []
    for j, v in enumerate(arr):
        try:
            days.append(_dt.date.fromisoformat(R.string(v, f"{path}.window[{j}]")))
        except ValueError:
            raise PackageError(
                f"{path}.window[{j}]：日期格式错误“{v}”（应为 YYYY-MM-DD）",
                field=f"{path}.window[{j}]",
            ) from None
    if days[0] > days[1]:
        raise PackageError(f"{path}.window：开始日期晚于结束日期", field=f"{path}.window")
    return days[0], days[1]


MeetingObjs = dict[str, tuple[int, dict[str, Any]]]


def _meeting_objs(top: dict[str, Any]) -> MeetingObjs:
    """Meeting id → (position, raw object), ids checked unique."""
    out: MeetingObjs = {}
    for i, raw in enumerate(R.array(R.require(top, "meetings", "meetings"), "meetings")):
        p = f"meetings[{i}]"
        obj = R.obj(raw, p)
        mid = R.string(R.require(obj, "id", f"{p}.id"), f"{p}.id")
        if mid in out:
            raise PackageError(f"{p}.id：例会编号“{mid}”重复", field=f"{p}.id")
        out[mid] = (i, obj)
    return out


def _check_expert_refs(obj: dict[str, Any], p: str, meetings: MeetingObjs) -> list[str]:
    """The meetings an expert's `pools` names (each must exist); `served` keys checked too."""
    served = R.obj(obj.get("served", {}), f"{p}.served")
    pools = []
    for j, mid in enumerate(R.array(obj.get("pools", []), f"{p}.pools")):
        R.string(mid, f"{p}.pools[{j}]")
        if mid not in meetings:
            raise PackageError(
                f"{p}.pools[{j}]：例会“{mid}”不在 meetings 中", field=f"{p}.pools[{j}]"
            )
        pools.append(mid)
    for mid, years in served.items():
        if mid not in meetings:
            raise PackageError(
                f"{p}.served.{mid}：例会“{mid}”不在 meetings 中", field=f"{p}.served.{mid}"
            )
        for j, y in enumerate(R.array(years, f"{p}.served.{mid}")):
            R.integer(y, f"{p}.served.{mid}[{j}]", minimum=1)
    return pools


def _experts(
    top: dict[str, Any], meetings: MeetingObjs
) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Raw experts by id, and each meeting's pool (expert ids in file order)."""
    experts: dict[str, dict[str, Any]] = {}
    pools: dict[str, list[str]] = {mid: [] for mid in meetings}
    for i, raw in enumerate(R.array(R.require(top, "experts", "experts"), "experts")):
        p = f"experts[{i}]"
        obj = R.obj(raw, p)
        R.obj(obj.get("served", {}), f"{p}.served")
        parse_expert({**obj, "served": []}, i)  # same field checks as a draw package
        eid = obj["id"]
        if eid in experts:
            raise PackageError(f"{p}.id：专家编号“{eid}”重复", field=f"{p}.id")
        for mid in _check_expert_refs(obj, p, meetings):
            pools[mid].append(eid)
        experts[eid] = obj
    return experts, pools


def _check_conflicts(obj: dict[str, Any], p: str, experts: dict[str, dict[str, Any]]) -> None:
    applicant_ids = {
        a.get("id")
        for a in R.array(obj.get("applicants", []), f"{p}.applicants")
        if isinstance(a, dict) and isinstance(a.get("id"), str)
    }
    for j, c in enumerate(R.array(obj.get("conflicts", []), f"{p}.conflicts")):
        cobj = R.obj(c, f"{p}.conflicts[{j}]")
        eid = R.string(
            R.require(cobj, "expert", f"{p}.conflicts[{j}].expert"),
            f"{p}.conflicts[{j}].expert",
        )
        if eid not in experts:
            raise PackageError(
                f"{p}.conflicts[{j}].expert：专家“{eid}”不在 experts 中",
                field=f"{p}.conflicts[{j}].expert",
            )
        # Checked here too: the projection drops conflicts of experts outside the pool,
        # which would otherwise hide a conflict naming an unknown applicant.
        aid = cobj.get("applicant")
        if aid not in applicant_ids:
            raise PackageError(
                f"{p}.conflicts[{j}].applicant：申报人“{aid}”不在该例会的 applicants 中",
                field=f"{p}.conflicts[{j}].applicant",
            )


def _projection(
    mid: str,
    obj: dict[str, Any],
    p: str,
    year: int,
    window: tuple[_dt.date, _dt.date],
    experts: dict[str, dict[str, Any]],
    pool: list[str],
) -> dict[str, Any]:
    """The contract's projection of the season onto one meeting, as a draw/1 document."""
    members = set(pool)
    doc: dict[str, Any] = {
        "format": "expertpool.draw/1",
        "meeting": {
            "id": mid,
            "committee": obj.get("committee", ""),
            "level": obj.get("level"),
            "year": year,
            "window": [window[0].isoformat(), window[1].isoformat()],
        },
        "rules": R.require(obj, "rules", f"{p}.rules"),
        "experts": [
            {
                **{k: v for k, v in experts[eid].items() if k not in ("pools", "served")},
                "served": sorted(experts[eid].get("served", {}).get(mid, [])),
            }
            for eid in sorted(members)
        ],
        "applicants": obj.get("applicants", []),
        "conflicts": [c for c in obj.get("conflicts", []) if c.get("expert") in members],
    }
    if doc["meeting"]["level"] is None:
        del doc["meeting"]["level"]
    if "groups" in obj:  # a meeting's review groups (评议组) are kept; absent stays absent
        doc["groups"] = obj["groups"]
    return doc


def parse_season(data: bytes) -> Season:
    # A wrong tag is shown as str() writes it (the season file's message always has been).
    sha, top = open_document(data, FORMAT, "年度抽取文件", caller="parse_season", show=str)
    year = R.integer(R.require(top, "year", "year"), "year", minimum=1)
    max_panels = max_panels_per_expert.parse(top)
    meeting_objs = _meeting_objs(top)
    experts, pools = _experts(top, meeting_objs)
    meetings = []
    for mid, (i, obj) in meeting_objs.items():
        p = f"meetings[{i}]"
        start, end = _window(obj, p)
        _check_conflicts(obj, p, experts)
        data_m = projection_bytes(_projection(mid, obj, p, year, (start, end), experts, pools[mid]))
        try:
            pkg = parse_package(data_m)
        except PackageError as exc:
            raise _prefixed(exc, p) from None
        meetings.append(SeasonMeeting(id=mid, start=start, end=end, pkg=pkg, projection=data_m))
    meetings.sort(key=lambda m: (m.start, m.id))
    return Season(year=year, max_panels=max_panels, meetings=tuple(meetings), sha256=sha)
