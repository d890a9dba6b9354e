"""The `expertpool.panel/1` result object: building and reading it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from solver.errors import PackageError
from solver.package import Package, decode_json

FORMAT = "expertpool.panel/1"


def recusals(pkg: Package, members: Sequence[str]) -> dict[str, list[str]]:
    """For each applicant with at least one conflicted member, those members (sorted)."""
    pairs = {(c.expert, c.applicant) for c in pkg.conflicts}
    same_unit = pkg.rules.recuse_same_unit
    out: dict[str, list[str]] = {}
    for app in pkg.applicants:
        hit = sorted(
            mid
            for mid in set(members)
            if (mid, app.id) in pairs
            or (same_unit and mid in pkg.expert_by_id and pkg.expert_by_id[mid].unit == app.unit)
        )
        if hit:
            out[app.id] = hit
    return out


def panel_dict(
    pkg: Package,
    seed: str,
    *,
    members: Sequence[str],
    alternates: Sequence[str],
    uncovered: Sequence[str],
    diagnosis: Sequence[dict[str, Any]] = (),
    solver_info: dict[str, Any],
    status: str | None = None,
) -> dict[str, Any]:
    drawn = status or ("drawn" if members else "infeasible")
    return {
        "format": FORMAT,
        "meeting": pkg.meeting.id,
        "status": drawn,
        "seed": seed,
        "instance_sha256": pkg.instance_sha256,
        "members": sorted(members),
        "alternates": list(alternates),
        "uncovered": sorted(uncovered),
        "recusals": recusals(pkg, members),
        "diagnosis": list(diagnosis),
        "solver": solver_info,
    }


@dataclass(frozen=True)
class PanelFile:
    """A parsed panel/1 file (only the fields the verifier and replace need)."""

    raw: dict[str, Any]
    meeting: str
    status: str
    seed: str
    instance_sha256: str
    members: tuple[str, ...]
    alternates: tuple[str, ...]
    uncovered: tuple[str, ...]
    recusals: dict[str, tuple[str, ...]]


def _str_list(obj: dict[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise PackageError(f"{key}：应为数组", field=key)
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise PackageError(f"{key}[{i}]：应为专家编号字符串", field=f"{key}[{i}]")
    return tuple(value)


def parse_panel(data: bytes) -> PanelFile:
    doc = decode_json(data, "评委会结果文件")
    if not isinstance(doc, dict):
        raise PackageError("评委会结果文件：应为 JSON 对象")
    if doc.get("format") != FORMAT:
        raise PackageError(
            f"format：格式标记应为“{FORMAT}”，实际为“{doc.get('format')}”", field="format"
        )
    for key in ("meeting", "status", "seed", "instance_sha256"):
        if not isinstance(doc.get(key), str):
            raise PackageError(f"{key}：缺少或不是字符串", field=key)
    if doc["status"] not in ("drawn", "infeasible"):
        raise PackageError(
            f"status：未知状态“{doc['status']}”（应为 drawn/infeasible）", field="status"
        )
    rec = doc.get("recusals", {})
    if not isinstance(rec, dict):
        raise PackageError("recusals：应为对象", field="recusals")
    recs: dict[str, tuple[str, ...]] = {}
    for aid, ids in rec.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise PackageError(f"recusals.{aid}：应为专家编号数组", field=f"recusals.{aid}")
        recs[aid] = tuple(ids)
    return PanelFile(
        raw=doc,
        meeting=doc["meeting"],
        status=doc["status"],
        seed=doc["seed"],
        instance_sha256=doc["instance_sha256"],
        members=_str_list(doc, "members"),
        alternates=_str_list(doc, "alternates"),
        uncovered=_str_list(doc, "uncovered"),
        recusals=recs,
    )
