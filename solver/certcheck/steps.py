"""The panel file (§2) and its steps (§6): the original draw and one redraw step per decline
call that redrew seats, with `fixed` and `excluded` worked out from the result file itself.

Decline calls are the recorded `declines` (each call's `declined` and `unavailable`), else
inferred from `replacements` as `replace` writes them (a run of alternate steps, then the
redraw steps of the same call). Within a call each declined member gets one replacement
entry: first the alternate substitutions (first fitting alternate in list order, seats left
for redrawing kept by their decliners meanwhile), then the redrawn seats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solver.certcheck import jsonin as J
from solver.certcheck.errors import BadInput, Failed
from solver.certcheck.rows import Space


@dataclass
class Step:
    name: str | int  # "original" or the 1-based decline call number
    members: list[str]  # the step's whole panel
    fixed: list[str]
    excluded: list[str]
    alternates: list[str]


@dataclass
class PanelDoc:
    raw: dict[str, Any]
    seed: str
    sha: str
    meeting: str
    members: list[str]
    alternates: list[str]
    uncovered: list[str]
    recusals: dict[str, list[str]]
    replacements: list[dict[str, str]]
    original: tuple[list[str], list[str]] | None


def read_panel(data: bytes) -> PanelDoc:
    doc = J.obj(J.load(data, "结果文件"), "结果文件")
    if doc.get("format") != "expertpool.panel/1":
        raise BadInput(f"format：格式标记应为“expertpool.panel/1”，实际为“{doc.get('format')}”")
    if doc.get("status") not in ("drawn", "infeasible"):
        raise BadInput("status：应为 drawn 或 infeasible")
    rec = J.obj(doc.get("recusals", {}), "recusals")
    reps = []
    for i, r in enumerate(J.arr(doc.get("replacements", []), "replacements")):
        r = J.obj(r, f"replacements[{i}]")
        if r.get("how") not in ("alternate", "redraw"):
            raise BadInput(f"replacements[{i}].how：应为 alternate 或 redraw")
        reps.append(
            {
                "declined": J.string(r.get("declined"), f"replacements[{i}].declined"),
                "by": J.string(r.get("by"), f"replacements[{i}].by"),
                "how": r["how"],
            }
        )
    original = None
    if doc.get("original") is not None:
        o = J.obj(doc["original"], "original")
        original = (
            J.strings(o.get("members"), "original.members"),
            J.strings(o.get("alternates"), "original.alternates"),
        )
    return PanelDoc(
        raw=doc,
        seed=J.string(doc.get("seed"), "seed"),
        sha=J.string(doc.get("instance_sha256"), "instance_sha256"),
        meeting=J.string(doc.get("meeting"), "meeting"),
        members=J.strings(doc.get("members"), "members"),
        alternates=J.strings(doc.get("alternates"), "alternates"),
        uncovered=J.strings(doc.get("uncovered"), "uncovered"),
        recusals={k: J.strings(v, f"recusals.{k}") for k, v in rec.items()},
        replacements=reps,
        original=original,
    )


def decline_calls(panel: PanelDoc) -> list[tuple[list[str], list[str]]]:
    """(declined, unavailable) of each decline call, in order."""
    recorded = panel.raw.get("declines")
    if isinstance(recorded, list) and recorded:
        out = []
        for i, c in enumerate(recorded):
            c = J.obj(c, f"declines[{i}]")
            declined = list(dict.fromkeys(J.strings(c.get("declined"), f"declines[{i}].declined")))
            out.append(
                (declined, J.strings(c.get("unavailable", []), f"declines[{i}].unavailable"))
            )
        return out
    calls: list[tuple[list[str], list[str]]] = []
    last = ""
    for r in panel.replacements:
        if not calls or (r["how"] == "alternate" and last == "redraw"):
            calls.append(([], []))
        calls[-1][0].append(r["declined"])
        last = r["how"]
    return calls


def _fits(space: Space, current: list[str], leaving: str, alt: str) -> bool:
    return space.broken([alt if m == leaving else m for m in current]) is None


def steps_of(space: Space, panel: PanelDoc) -> list[Step]:
    """Replay the recorded history with the contract's replacement rule; a redraw step's
    `fixed` are the members its call kept, its `excluded` every expert declined so far plus
    the call's `unavailable`."""
    if not panel.replacements:
        return [Step("original", list(panel.members), [], [], list(panel.alternates))]
    if panel.original is None:
        raise Failed("结果文件含递补记录（replacements）但缺少原始抽取名单（original）")
    members, alts = panel.original
    steps = [Step("original", list(members), [], [], list(alts))]
    current, left = list(members), list(alts)
    declined_so_far: set[str] = set()
    entries = list(panel.replacements)
    for k, (declined, unavailable) in enumerate(decline_calls(panel), 1):
        mine, entries = entries[: len(declined)], entries[len(declined) :]
        if len(mine) != len(declined) or {e["declined"] for e in mine} != set(declined):
            raise Failed(f"第{k}次请辞：递补记录与请辞记录不符")
        holes = []
        for e in mine:
            d, by = e["declined"], e["by"]
            if d not in current:
                raise Failed(f"第{k}次请辞：“{d}”当时不是评委")
            if e["how"] == "alternate":
                want = next(
                    (a for a in left if a not in current and _fits(space, current, d, a)), None
                )
                if by != want:
                    raise Failed(
                        f"第{k}次请辞：按备选顺序应由“{want or '（无）'}”递补“{d}”，记录为“{by}”"
                    )
                current = [by if m == d else m for m in current]
                left.remove(by)
            else:
                holes.append(e)
        declined_so_far |= set(declined)
        if holes:
            kept = [m for m in current if m not in {e["declined"] for e in holes}]
            current = kept + [e["by"] for e in holes]
            left = [a for a in left if a not in current]
            excluded = sorted(declined_so_far | set(unavailable))
            steps.append(Step(k, sorted(current), sorted(kept), excluded, []))
    if entries:
        raise Failed("递补记录多于请辞记录")
    if sorted(current) != sorted(panel.members):
        raise Failed("按递补记录推得的评委与结果文件所列不符")
    if left != panel.alternates:
        raise Failed("按递补记录推得的备选名单与结果文件所列不符")
    return steps
