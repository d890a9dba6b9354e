"""Parse an `expertpool.season/1` file and project it onto one `expertpool.draw/1` per meeting.

The projection is the contract's: a meeting's pool's experts with `served` taken for that
meeting, and only the conflicts whose expert is in that pool. Its canonical bytes are what
each meeting's panel is verified against.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass
from typing import Any

from solver.contract import Package, canonical_bytes
from solver.errors import PackageError
from solver.package import parse_expert, parse_package
from solver.reader import R, decode_json

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


def parse_season(data: bytes) -> Season:
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_season expects bytes")
    sha = hashlib.sha256(bytes(data)).hexdigest()
    top = R.obj(decode_json(bytes(data), "年度抽取文件"), "年度抽取文件")
    fmt = R.require(top, "format", "format")
    if fmt != FORMAT:
        raise PackageError(f"format：格式标记应为“{FORMAT}”，实际为“{fmt}”", field="format")
    year = R.integer(R.require(top, "year", "year"), "year", minimum=1)
    max_panels = top.get("max_panels_per_expert")
    if max_panels is not None:
        max_panels = R.integer(max_panels, "max_panels_per_expert", minimum=1)

    raw_meetings = R.array(R.require(top, "meetings", "meetings"), "meetings")
    meeting_objs: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, raw in enumerate(raw_meetings):
        p = f"meetings[{i}]"
        obj = R.obj(raw, p)
        mid = R.string(R.require(obj, "id", f"{p}.id"), f"{p}.id")
        if mid in meeting_objs:
            raise PackageError(f"{p}.id：例会编号“{mid}”重复", field=f"{p}.id")
        meeting_objs[mid] = (i, obj)

    experts: dict[str, dict[str, Any]] = {}
    pools: dict[str, list[str]] = {mid: [] for mid in meeting_objs}
    for i, raw in enumerate(R.array(R.require(top, "experts", "experts"), "experts")):
        p = f"experts[{i}]"
        obj = R.obj(raw, p)
        served = R.obj(obj.get("served", {}), f"{p}.served")
        parse_expert({**obj, "served": []}, i)  # same field checks as a draw package
        eid = obj["id"]
        if eid in experts:
            raise PackageError(f"{p}.id：专家编号“{eid}”重复", field=f"{p}.id")
        for j, mid in enumerate(R.array(obj.get("pools", []), f"{p}.pools")):
            R.string(mid, f"{p}.pools[{j}]")
            if mid not in meeting_objs:
                raise PackageError(
                    f"{p}.pools[{j}]：例会“{mid}”不在 meetings 中", field=f"{p}.pools[{j}]"
                )
            pools[mid].append(eid)
        for mid, years in served.items():
            if mid not in meeting_objs:
                raise PackageError(
                    f"{p}.served.{mid}：例会“{mid}”不在 meetings 中", field=f"{p}.served.{mid}"
                )
            for j, y in enumerate(R.array(years, f"{p}.served.{mid}")):
                R.integer(y, f"{p}.served.{mid}[{j}]", minimum=1)
        experts[eid] = obj

    meetings = []
    for mid, (i, obj) in meeting_objs.items():
        p = f"meetings[{i}]"
        start, end = _window(obj, p)
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
        members = set(pools[mid])
        doc = {
            "format": "expertpool.draw/1",
            "meeting": {
                "id": mid,
                "committee": obj.get("committee", ""),
                "level": obj.get("level"),
                "year": year,
                "window": [start.isoformat(), end.isoformat()],
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
        data_m = projection_bytes(doc)
        try:
            pkg = parse_package(data_m)
        except PackageError as exc:
            raise _prefixed(exc, p) from None
        meetings.append(SeasonMeeting(id=mid, start=start, end=end, pkg=pkg, projection=data_m))
    meetings.sort(key=lambda m: (m.start, m.id))
    return Season(year=year, max_panels=max_panels, meetings=tuple(meetings), sha256=sha)
