"""抽取复现: re-derive a panel from the package bytes and its seed, with the engine.

This is the second verdict beside the independent rule checks (solver/verify.py, which
shares no decision code with the engine). The checks say a panel complies; only the replay
says the panel is the one the seed gives, so that a hand-picked compliant panel fails here.

- A one-meeting panel: `draw(package, seed)` must give its members, alternates (in order)
  and uncovered, and its `original` when it records one.
- After declines: the first draw is re-derived as above and must equal `original`; then each
  recorded decline call (`declines`, else inferred from `replacements`) is applied again with
  the engine's replacement; the history and the final members, alternates and uncovered
  must be what the file lists.
- A season panel (its result names a `season`): the season is planned again from the season
  package and the seed, and this meeting's panel of that plan is the first draw.
- A panel whose seed has two parts (`seed_parts`) must reveal a part a whose hash is the
  commitment, and H(part a, part b) must be its seed (solver/seedparts.py). The parts are
  also recorded with the first draw (`original.seed_parts`); after declines the file must
  still carry the same ones, or the replay fails (a lost commitment is not 与种子一致).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from solver.draw import draw_package
from solver.errors import PackageError
from solver.package import parse_package
from solver.panel import parse_panel
from solver.reader import decode_json
from solver.replace import replace_members
from solver.season.package import Season, parse_season
from solver.season.plan import plan_season
from solver.seedparts import check_parts

__all__ = ["ReplayVerdict", "replay_panel", "replay_plan"]

SAME = "与种子一致"
DIFFERENT = "与种子不一致"

_FIELDS = (
    ("status", "抽取结果"),
    ("members", "评委"),
    ("alternates", "备选专家顺序"),
    ("uncovered", "无备选可替换的评委"),
)
_STATUS = {"drawn": "已抽出", "infeasible": "无合规名单"}


@dataclass
class ReplayVerdict:
    """The replay's verdict: `same` only when every step re-derives exactly."""

    same: bool = True
    lines: list[str] = field(default_factory=list)
    first_difference: str = ""

    def fail(self, line: str) -> None:
        if self.same:
            self.first_difference = line
        self.same = False
        self.lines.append(line)

    @property
    def verdict(self) -> str:
        return SAME if self.same else DIFFERENT

    def text(self) -> str:
        out = [f"  {line}" for line in self.lines]
        if self.same:
            out.append(f"抽取复现：{SAME}（名单即该种子抽出的结果）")
        else:
            out.append(f"抽取复现：{DIFFERENT}——第一处不同：{self.first_difference}")
        return "\n".join(out)


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value) if value else "无"
    return _STATUS.get(str(value), str(value))


def _difference(label: str, recorded: Any, again: Any) -> str:
    """One sentence naming the first place where `recorded` and `again` part."""
    if isinstance(recorded, list) and isinstance(again, list):
        for i, (r, a) in enumerate(zip(recorded, again, strict=False), 1):
            if r != a:
                return f"{label}第{i}位：记录为{r}，按种子应为{a}"
        if len(recorded) != len(again):
            return f"{label}：记录{len(recorded)}名，按种子应为{len(again)}名"
    return f"{label}：记录为{_fmt(recorded)}，按种子应为{_fmt(again)}"


def _compare(
    verdict: ReplayVerdict, what: str, recorded: dict[str, Any], again: dict[str, Any]
) -> None:
    for key, label in _FIELDS:
        if key == "status" and key not in recorded:
            continue
        r, a = recorded.get(key), again.get(key)
        if r != a:
            verdict.fail(f"{what}：{_difference(label, r, a)}")
            return
    verdict.lines.append(
        f"{what}：与按种子重新抽取的结果一致（评委{len(again.get('members', []))}名、"
        f"备选{len(again.get('alternates', []))}名（顺序相同）、"
        f"无备选可替换的评委：{_fmt(again.get('uncovered', []))}）"
    )


def _calls(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The decline calls in order: recorded as `declines`, else inferred from the history
    (a run of alternate steps then redraw steps is one call, as replace writes them)."""
    recorded = doc.get("declines")
    if isinstance(recorded, list) and recorded:
        return [c for c in recorded if isinstance(c, dict)]
    calls: list[dict[str, Any]] = []
    last_how = ""
    for step in doc.get("replacements", []):
        how = step.get("how")
        if not calls or (how == "alternate" and last_how == "redraw"):
            calls.append({"declined": [], "unavailable": []})
        calls[-1]["declined"].append(step.get("declined"))
        last_how = str(how)
    return calls


def _str_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _replay_history(
    verdict: ReplayVerdict, data: bytes, first: dict[str, Any], doc: dict[str, Any], workers: int
) -> dict[str, Any]:
    """Apply each recorded decline call again to the re-derived first draw."""
    current = dict(first)
    for i, call in enumerate(_calls(doc), 1):
        declined = _str_list(call.get("declined"))
        unavailable = _str_list(call.get("unavailable"))
        if current.get("status") != "drawn":
            verdict.fail(f"第{i}次请辞：此前的名单已无合规名单，不能再办理请辞")
            return current
        try:
            current = replace_members(
                data, json.dumps(current).encode(), declined, workers, unavailable
            )
        except PackageError as exc:
            verdict.fail(f"第{i}次请辞（{'、'.join(declined)}）无法重放：{exc.message}")
            return current
        if unavailable:
            verdict.lines.append(
                f"第{i}次请辞补抽时按记录排除了{len(unavailable)}名当时已不可用的专家："
                + "、".join(unavailable)
            )
    steps = len(current.get("replacements", []))
    if current.get("replacements", []) != doc.get("replacements", []):
        verdict.fail(
            _history_difference(doc.get("replacements", []), current.get("replacements", []))
        )
    else:
        verdict.lines.append(f"{steps}条递补记录与按种子重放的结果一致")
    return current


def _history_difference(recorded: Sequence[Any], again: Sequence[Any]) -> str:
    for i, (r, a) in enumerate(zip(recorded, again, strict=False), 1):
        if r != a:
            return (
                f"第{i}条递补记录：记录为{r.get('by')}递补{r.get('declined')}，"
                f"按种子应为{a.get('by')}递补{a.get('declined')}"
            )
    return f"递补记录：记录{len(recorded)}条，按种子重放应为{len(again)}条"


def _season_first_draw(
    verdict: ReplayVerdict, season: Season, data: bytes, doc: dict[str, Any], workers: int
) -> dict[str, Any] | None:
    meeting = str(doc.get("meeting"))
    projection = next((m.projection for m in season.meetings if m.id == meeting), None)
    if projection is None:
        verdict.fail(f"年度数据包中没有例会{meeting}")
        return None
    if projection != data:
        verdict.fail(f"抽取包不是年度数据包中例会{meeting}的投影")
        return None
    plan = plan_season(season, str(doc.get("seed")), workers)
    verdict.lines.append("按年度数据包和种子重新进行年度联合抽取")
    first: dict[str, Any] = plan["panels"].get(meeting, {})
    return first


def _declined(doc: dict[str, Any]) -> bool:
    return bool(doc.get("replacements") or doc.get("declines"))


def _check_seed_parts(verdict: ReplayVerdict, doc: dict[str, Any]) -> None:
    """The seed's two parts must give the commitment and the seed, and the ones recorded
    with the first draw (`original.seed_parts`) must still be the file's after every
    decline. A file without any (a command-line draw) says that no commitment was checked."""
    if "seed_parts" in doc:
        check_parts(doc["seed_parts"], str(doc.get("seed"))).report(
            verdict.lines.append, verdict.fail
        )
    original = doc.get("original")
    drawn_with = original.get("seed_parts") if isinstance(original, dict) else None
    if drawn_with is not None and doc.get("seed_parts") != drawn_with:
        verdict.fail(
            "种子的两部分缺失：最初抽取记录了种子的两部分和承诺值，结果文件却没有（seed_parts），"
            "无法核对承诺值"
            if "seed_parts" not in doc
            else "种子的两部分与最初抽取时记录的不同（seed_parts 与 original.seed_parts 不符）"
        )
    elif "seed_parts" not in doc and _declined(doc):
        verdict.lines.append(
            "结果文件未记录种子的两部分（seed_parts）：未核对承诺值（命令行直接抽取的名单没有两部分）"
        )


def replay_panel(
    package_bytes: bytes,
    panel_bytes: bytes,
    workers: int = 1,
    season_bytes: bytes | None = None,
) -> ReplayVerdict:
    """Re-derive the panel file from the package bytes and its seed (see the module doc).
    Raises PackageError when either file (or the season package) is not valid input."""
    verdict = ReplayVerdict()
    parse_panel(panel_bytes)  # bad input is exit 2, as for verify
    doc: dict[str, Any] = decode_json(panel_bytes, "评委会结果文件")
    pkg = parse_package(package_bytes)
    sha = hashlib.sha256(package_bytes).hexdigest()
    if sha != doc.get("instance_sha256"):
        verdict.fail(
            "抽取包与结果文件不对应：抽取包的 SHA-256 与结果文件记录的 instance_sha256 不符"
            "（抽取包被改动过，或结果不是由这份抽取包抽出的）"
        )
        return verdict
    verdict.lines.append(f"抽取包与结果文件对应（SHA-256 {sha[:16]}…）")
    _check_seed_parts(verdict, doc)
    if isinstance(doc.get("season"), dict):
        if season_bytes is None:
            verdict.fail(
                "该名单来自年度联合抽取，须与年度数据包一起复现"
                "（verify --replay --season 年度数据包，或 verify-season --replay）"
            )
            return verdict
        season = parse_season(season_bytes)
        if season.sha256 != doc["season"].get("sha256"):
            verdict.fail("年度数据包的 SHA-256 与名单记录的年度数据包不符")
            return verdict
        first = _season_first_draw(verdict, season, package_bytes, doc, workers)
        if first is None:
            return verdict
    else:
        first = draw_package(pkg, str(doc.get("seed")), workers)
    _check_against(verdict, package_bytes, first, doc, workers)
    return verdict


def _check_against(
    verdict: ReplayVerdict, data: bytes, first: dict[str, Any], doc: dict[str, Any], workers: int
) -> None:
    original = doc.get("original")
    if doc.get("replacements"):
        if not isinstance(original, dict):
            verdict.fail("结果文件有递补记录却没有最初抽取的名单（original），无法复现")
            return
        _compare(verdict, "最初抽取的名单", original, first)
        if not verdict.same:
            return
        final = _replay_history(verdict, data, first, doc, workers)
        if verdict.same:
            _compare(verdict, "请辞递补后的名单", doc, final)
        return
    if isinstance(original, dict):
        _compare(verdict, "记录的最初抽取", original, first)
        if not verdict.same:
            return
    _compare(verdict, "名单", doc, first)


def replay_plan(season_bytes: bytes, plan_bytes: bytes, workers: int = 1) -> ReplayVerdict:
    """Plan the season again from its package and the plan's seed; every meeting's panel
    (status, members, alternates in order, uncovered) must be the same."""
    verdict = ReplayVerdict()
    season = parse_season(season_bytes)
    plan = decode_json(plan_bytes, "年度抽取结果")
    if not isinstance(plan, dict) or not isinstance(plan.get("panels"), dict):
        raise PackageError("panels：应为以例会编号为键的对象", field="panels")
    seed = plan.get("seed")
    if not isinstance(seed, str):
        raise PackageError("seed：缺少或不是字符串", field="seed")
    if "seed_parts" in plan:
        check_parts(plan["seed_parts"], seed).report(verdict.lines.append, verdict.fail)
    again = plan_season(season, seed, workers)
    verdict.lines.append(f"按年度数据包（SHA-256 {season.sha256[:16]}…）和种子重新进行年度联合抽取")
    recorded: dict[str, Any] = plan["panels"]
    if sorted(recorded) != sorted(again["panels"]):
        verdict.fail(
            f"例会：记录为{_fmt(sorted(recorded))}，按种子应为{_fmt(sorted(again['panels']))}"
        )
        return verdict
    for mid in sorted(again["panels"]):
        mine = recorded[mid] if isinstance(recorded[mid], dict) else {}
        _compare(verdict, f"例会{mid}", mine, again["panels"][mid])
        if not verdict.same:
            return verdict
    return verdict
