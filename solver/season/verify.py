"""Independent checks of a season plan: each panel against its projection, plus the season rules.

Plain Python only (no CP-SAT), like solver/verify.py, which it calls for each meeting.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from solver.errors import PackageError
from solver.package import decode_json
from solver.season.package import Season, parse_season
from solver.verify import verify_panel


@dataclass
class SeasonReport:
    meetings: dict[str, Any] = field(default_factory=dict)  # meeting id → solver.verify.Report
    season: list[dict[str, Any]] = field(default_factory=list)
    infeasible: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # id → diagnosis

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.meetings.values()) and all(i["ok"] for i in self.season)

    def text(self) -> str:
        lines = []
        for mid, report in self.meetings.items():
            lines.append(f"== 例会 {mid}")
            lines.append(report.text())
        for mid, diagnosis in self.infeasible.items():
            lines.append(f"== 例会 {mid}：无法抽取（不计入合规判断）")
            lines.extend(f"  {d.get('message', '')}" for d in diagnosis)
        lines.append("== 年度规则")
        for item in self.season:
            lines.append(f"{'通过' if item['ok'] else '不通过'}  {item['rule']}：{item['message']}")
        lines.append("结论：" + ("全部合规" if self.ok else "存在不合规项"))
        return "\n".join(lines)


def season_checks(season: Season, members: dict[str, list[str]]) -> list[dict[str, Any]]:
    by_id = season.by_id()
    seats: dict[str, list[str]] = defaultdict(list)
    for mid, ids in members.items():
        for e in set(ids):
            seats[e].append(mid)
    clashes = []
    over = []
    for e, mids in sorted(seats.items()):
        mids.sort()
        for a in range(len(mids)):
            for b in range(a + 1, len(mids)):
                if by_id[mids[a]].overlaps(by_id[mids[b]]):
                    clashes.append(f"{e}（{mids[a]}与{mids[b]}）")
        if season.max_panels is not None and len(mids) > season.max_panels:
            over.append(f"{e}（{len(mids)}个）")
    items = [
        {
            "rule": "season_overlap",
            "ok": not clashes,
            "message": "没有专家同时参加时间重叠的两个评委会"
            if not clashes
            else "以下专家被安排在时间重叠的评委会：" + "、".join(clashes),
        }
    ]
    cap = season.max_panels
    items.append(
        {
            "rule": "max_panels_per_expert",
            "ok": not over,
            "message": (f"每名专家至多参加{cap}个评委会" if cap is not None else "未设上限")
            if not over
            else f"以下专家超过{cap}个评委会：" + "、".join(over),
        }
    )
    return items


def verify_plan(season_bytes: bytes, plan_bytes: bytes) -> SeasonReport:
    season = parse_season(season_bytes)
    plan = decode_json(plan_bytes, "年度抽取结果")
    if not isinstance(plan, dict) or plan.get("format") != "expertpool.plan/1":
        raise PackageError("format：格式标记应为“expertpool.plan/1”", field="format")
    panels = plan.get("panels")
    if not isinstance(panels, dict):
        raise PackageError("panels：应为对象", field="panels")
    report = SeasonReport()
    members: dict[str, list[str]] = {}
    for m in season.meetings:
        panel = panels.get(m.id)
        if panel is None:
            raise PackageError(f"panels.{m.id}：缺少该例会的结果", field=f"panels.{m.id}")
        if isinstance(panel, dict) and panel.get("status") == "infeasible":
            report.infeasible[m.id] = list(panel.get("diagnosis") or [])
            continue
        data = json.dumps(panel, ensure_ascii=False).encode("utf-8")
        report.meetings[m.id] = verify_panel(m.projection, data)
        members[m.id] = list(panel.get("members", []))
    report.season = season_checks(season, members)
    report.season.append(_excluded_check(season, panels, members))
    return report


def _excluded_check(season: Season, panels: dict, members: dict[str, list[str]]) -> dict[str, Any]:
    """Each drawn panel's `season_excluded` is exactly its eligible non-members who sit on an
    overlapping meeting or have reached the yearly cap."""
    from solver.rules.eligibility import ineligibility_reason

    by_id = season.by_id()
    seats: dict[str, set[str]] = defaultdict(set)
    for mid, ids in members.items():
        for e in ids:
            seats[e].add(mid)
    wrong = []
    for mid in members:
        m = by_id[mid]
        expected = set()
        for e in m.pkg.experts:
            if e.id in members[mid] or ineligibility_reason(m.pkg, e) is not None:
                continue
            mine = seats.get(e.id, set())
            clash = any(by_id[o].overlaps(m) for o in mine if o != mid)
            full = season.max_panels is not None and len(mine) >= season.max_panels
            if clash or full:
                expected.add(e.id)
        got = set(panels[mid].get("season_excluded", []))
        if got != expected:
            wrong.append(f"{mid}（应排除{len(expected)}名，记录{len(got)}名）")
    return {
        "rule": "season_excluded",
        "ok": not wrong,
        "message": "各例会因年度安排不作备选的专家名单准确"
        if not wrong
        else "因年度安排不作备选的专家名单不准确：" + "、".join(wrong),
    }
