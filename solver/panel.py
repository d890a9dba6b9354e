"""The `expertpool.panel/1` result object: building and reading it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from solver.contract import Package, recusals
from solver.errors import PackageError
from solver.reader import decode_json

FORMAT = "expertpool.panel/1"

__all__ = ["FORMAT", "Original", "PanelFile", "Replacement", "panel_dict", "parse_panel"]


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


REPLACEMENT_HOWS = ("alternate", "redraw")


@dataclass(frozen=True)
class Replacement:
    """One step of a panel's decline history (our extension of panel/1, written by replace)."""

    declined: str
    by: str
    how: str


@dataclass(frozen=True)
class Original:
    """The panel as first drawn, kept beside a decline history so it can be checked."""

    members: tuple[str, ...]
    alternates: tuple[str, ...]


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
    replacements: tuple[Replacement, ...] = ()
    original: Original | None = None


def _str_list(obj: dict[str, Any], key: str, where: str = "") -> tuple[str, ...]:
    name = f"{where}{key}"
    if key not in obj:
        raise PackageError(f"{name}：缺少该字段", field=name)
    value = obj[key]
    if not isinstance(value, list):
        raise PackageError(f"{name}：应为数组", field=name)
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise PackageError(f"{name}[{i}]：应为专家编号字符串", field=f"{name}[{i}]")
    return tuple(value)


def _diagnosis(doc: dict[str, Any]) -> None:
    value = doc.get("diagnosis", [])
    if not isinstance(value, list):
        raise PackageError("diagnosis：应为数组", field="diagnosis")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or not isinstance(entry.get("message"), str):
            raise PackageError(
                f"diagnosis[{i}]：应为含 message 文字的对象", field=f"diagnosis[{i}]"
            )


def _replacements(doc: dict[str, Any]) -> tuple[Replacement, ...]:
    value = doc.get("replacements", [])
    if not isinstance(value, list):
        raise PackageError("replacements：应为数组", field="replacements")
    out = []
    for i, step in enumerate(value):
        name = f"replacements[{i}]"
        if not isinstance(step, dict):
            raise PackageError(f"{name}：应为对象", field=name)
        for key in ("declined", "by"):
            if not isinstance(step.get(key), str):
                raise PackageError(f"{name}.{key}：应为专家编号字符串", field=f"{name}.{key}")
        if step.get("how") not in REPLACEMENT_HOWS:
            raise PackageError(f"{name}.how：应为 alternate 或 redraw", field=f"{name}.how")
        out.append(Replacement(step["declined"], step["by"], step["how"]))
    return tuple(out)


def _original(doc: dict[str, Any]) -> Original | None:
    value = doc.get("original")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PackageError("original：应为对象", field="original")
    return Original(
        _str_list(value, "members", "original."), _str_list(value, "alternates", "original.")
    )


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
    if "recusals" not in doc:
        raise PackageError("recusals：缺少该字段", field="recusals")
    rec = doc["recusals"]
    if not isinstance(rec, dict):
        raise PackageError("recusals：应为对象", field="recusals")
    recs: dict[str, tuple[str, ...]] = {}
    for aid, ids in rec.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise PackageError(f"recusals.{aid}：应为专家编号数组", field=f"recusals.{aid}")
        recs[aid] = tuple(ids)
    _diagnosis(doc)
    if "season_excluded" in doc:
        _str_list(doc, "season_excluded")
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
        replacements=_replacements(doc),
        original=_original(doc),
    )
