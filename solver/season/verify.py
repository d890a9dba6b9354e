"""Independent checks of a season plan: each panel against its projection, plus the season rules.

Plain Python only (no CP-SAT), like solver/verify.py, which it calls for each meeting.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from solver.errors import PackageError
from solver.panel import PanelFile, parse_panel
from solver.reader import decode_json
from solver.registry import ineligibility_reason
from solver.season.package import Season, parse_season
from solver.season.rules import SEASON_RULES
from solver.season.verify_proof import SeasonRows, check_proof
from solver.verify import verify_package


@dataclass
class SeasonReport:
    meetings: dict[str, Any] = field(default_factory=dict)  # meeting id → solver.verify.Report
    season: list[dict[str, Any]] = field(default_factory=list)
    infeasible: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # id → diagnosis
    # id → {"ok", "message"}: the counting proofs of infeasible meetings, checked exactly
    proofs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every meeting drawn, every panel compliant, every season rule kept. A meeting the
        plan calls infeasible cannot be confirmed by plain checks, so, as with `verify`, the
        plan does not pass while one is listed."""
        return (
            not self.infeasible
            and all(r.ok for r in self.meetings.values())
            and all(i["ok"] for i in self.season)
        )

    @property
    def drawn_ok(self) -> bool:
        """The drawn panels, the season rules and every counting proof pass (the infeasible
        meetings' feasibility alone aside: that plain checks cannot confirm)."""
        return (
            all(r.ok for r in self.meetings.values())
            and all(i["ok"] for i in self.season)
            and all(p["ok"] for p in self.proofs.values())
        )

    def text(self) -> str:
        lines = []
        for mid, report in self.meetings.items():
            lines.append(f"== 例会 {mid}")
            lines.append(report.text())
        for mid, diagnosis in self.infeasible.items():
            proof = self.proofs.get(mid)
            if proof is None:
                lines.append(f"== 例会 {mid}：无法抽取，独立核验无法确认")
            else:
                lines.append(
                    f"== 例会 {mid}：无法抽取，计数证明{'成立' if proof['ok'] else '不成立'}"
                )
            lines.extend(f"  {d['message']}" for d in diagnosis)
            if proof is not None:
                lines.append(f"  {'通过' if proof['ok'] else '不通过'}  {proof['message']}")
        lines.append("== 年度规则")
        for item in self.season:
            lines.append(f"{'通过' if item['ok'] else '不通过'}  {item['rule']}：{item['message']}")
        if self.ok:
            lines.append("结论：全部例会均已抽出且合规")
        elif self.drawn_ok:
            lines.append(f"结论：已抽出的评委会合规；{len(self.infeasible)}个例会无法抽取")
        else:
            lines.append("结论：存在不合规项")
        return "\n".join(lines)


def season_checks(season: Season, members: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Each season rule's plain check over the drawn panels."""
    seats: dict[str, list[str]] = defaultdict(list)
    for mid, ids in members.items():
        for e in set(ids):
            seats[e].append(mid)
    for mids in seats.values():
        mids.sort()
    return [rule.check(season, seats) for rule in SEASON_RULES]


def verify_plan(season_bytes: bytes, plan_bytes: bytes) -> SeasonReport:
    season = parse_season(season_bytes)
    plan = decode_json(plan_bytes, "年度抽取结果")
    if not isinstance(plan, dict) or plan.get("format") != "expertpool.plan/1":
        raise PackageError("format：格式标记应为“expertpool.plan/1”", field="format")
    panels = plan.get("panels")
    if not isinstance(panels, dict):
        raise PackageError("panels：应为对象", field="panels")
    if plan.get("year") != season.year:
        raise PackageError(
            f"year：结果为{plan.get('year')}年，年度数据包为{season.year}年", field="year"
        )
    if not isinstance(plan.get("seed"), str):
        raise PackageError("seed：缺少或不是字符串", field="seed")
    report = SeasonReport()
    parsed: dict[str, PanelFile] = {}
    for m in season.meetings:
        panel = panels.get(m.id)
        if panel is None:
            raise PackageError(f"panels.{m.id}：缺少该例会的结果", field=f"panels.{m.id}")
        data = json.dumps(panel, ensure_ascii=False).encode("utf-8")
        try:
            parsed[m.id] = parse_panel(data)
        except PackageError as exc:
            raise PackageError(f"panels.{m.id}.{exc.message}", field=f"panels.{m.id}") from None
    members = {mid: list(p.members) for mid, p in parsed.items() if p.status == "drawn"}
    expected = season_exclusions(season, members)
    rows = SeasonRows(season)
    for m in season.meetings:
        panel_file = parsed[m.id]
        if panel_file.status == "infeasible":
            report.infeasible[m.id] = list(panel_file.raw.get("diagnosis", []))
            _check_proofs(report, rows, m.id, set(members))
            continue
        report.meetings[m.id] = verify_package(m.pkg, panel_file, expected[m.id])
    report.season = season_checks(season, members)
    report.season.append(_excluded_check(parsed, expected))
    return report


def _check_proofs(report: SeasonReport, rows: SeasonRows, mid: str, drawn: set[str]) -> None:
    """Each diagnosis entry of `mid` that carries a proof, checked (the first failure kept)."""
    for k, entry in enumerate(report.infeasible[mid]):
        if not isinstance(entry, dict) or "proof" not in entry:
            continue
        try:
            ok, message = check_proof(rows, mid, entry, drawn)
        except PackageError as exc:
            field_ = f"panels.{mid}.diagnosis[{k}].proof"
            raise PackageError(f"{field_}：{exc.message}", field=field_) from None
        if mid not in report.proofs or report.proofs[mid]["ok"]:
            report.proofs[mid] = {"ok": ok, "message": message}


def season_exclusions(season: Season, members: dict[str, list[str]]) -> dict[str, set[str]]:
    """For each drawn meeting, its eligible non-members who sit on an overlapping meeting or
    have reached the yearly cap: the experts the plan may not list as its alternates."""
    index = {m.id: j for j, m in enumerate(season.meetings)}
    seats: dict[str, set[int]] = defaultdict(set)
    for mid, ids in members.items():
        for e in ids:
            seats[e].add(index[mid])
    out: dict[str, set[str]] = {}
    for mid in members:
        j = index[mid]
        m = season.meetings[j]
        overlap = {k for k, o in enumerate(season.meetings) if k != j and o.overlaps(m)}
        expected: set[str] = set()
        for expert in m.pkg.experts:
            if expert.id in members[mid] or ineligibility_reason(m.pkg, expert) is not None:
                continue
            have = seats.get(expert.id, set())
            if any(r.blocks(season, have, j, overlap) for r in SEASON_RULES):
                expected.add(expert.id)
        out[mid] = expected
    return out


def _excluded_check(parsed: dict[str, PanelFile], expected: dict[str, set[str]]) -> dict[str, Any]:
    """Each drawn panel's recorded `season_excluded` is exactly the recomputed set."""
    wrong = []
    for mid, want in expected.items():
        got = set(parsed[mid].raw.get("season_excluded", []))
        if got != want:
            wrong.append(f"{mid}（应排除{len(want)}名，记录{len(got)}名）")
    return {
        "rule": "season_excluded",
        "ok": not wrong,
        "message": "各例会因年度安排不作备选的专家名单准确"
        if not wrong
        else "因年度安排不作备选的专家名单不准确：" + "、".join(wrong),
    }
