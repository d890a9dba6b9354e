"""Independent verification from the rules' plain checks alone (must not import ortools)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from solver.package import Package, parse_package
from solver.panel import PanelFile, parse_panel, recusals
from solver.rules import ALL, BY_ID
from solver.rules.eligibility import ineligibility_reason


def complies(pkg: Package, members: Sequence[str]) -> bool:
    return all(not rule.check(pkg, members) for rule in ALL)


def violations(pkg: Package, members: Sequence[str]) -> list[Any]:
    return [v for rule in ALL for v in rule.check(pkg, members)]


def exact_uncovered(pkg: Package, members: Sequence[str], alternates: Sequence[str]) -> list[str]:
    """Members with no alternate whose substitution leaves the panel compliant."""
    out = []
    for m in sorted(set(members)):
        rest = [x for x in members if x != m]
        if not any(complies(pkg, [*rest, a]) for a in alternates if a not in members):
            out.append(m)
    return out


def first_fitting_alternate(
    pkg: Package, members: Sequence[str], member: str, alternates: Sequence[str]
) -> str | None:
    rest = [x for x in members if x != member]
    for a in alternates:
        if a not in members and complies(pkg, [*rest, a]):
            return a
    return None


@dataclass
class Item:
    rule: str
    title: str
    clause: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "clause": self.clause,
            "ok": self.ok,
            "detail": self.detail,
        }


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    def as_list(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self.items]

    def text(self) -> str:
        lines = []
        for item in self.items:
            mark = "通过" if item.ok else "不通过"
            lines.append(f"[{mark}] {item.rule} {item.title}：{item.detail}")
        lines.append("结论：评委会合规，备选与回避信息准确" if self.ok else "结论：核验未通过")
        return "\n".join(lines)


def _rule_items(pkg: Package, panel: PanelFile) -> list[Item]:
    items = []
    for rule in ALL:
        found = rule.check(pkg, panel.members)
        detail = "；".join(v.message for v in found) if found else rule.describe(pkg) + "，满足"
        items.append(Item(rule.id, rule.title_zh, rule.clause, not found, detail))
    return items


def _alternate_items(pkg: Package, panel: PanelFile) -> list[Item]:
    items = []
    members = set(panel.members)
    problems = []
    if len(set(panel.alternates)) != len(panel.alternates):
        problems.append("备选名单中有重复")
    # A season plan lists the experts it kept off this meeting's alternates (booked on an
    # overlapping meeting or at the yearly cap); solver/season/verify.py checks that list.
    excluded = {e for e in panel.raw.get("season_excluded", []) if isinstance(e, str)}
    for a in panel.alternates:
        if a in excluded:
            problems.append(f"备选专家“{a}”已被年度安排排除")
        if a in members:
            problems.append(f"备选专家“{a}”同时是评委")
        expert = pkg.expert_by_id.get(a)
        if expert is None:
            problems.append(f"备选专家“{a}”不在专家库中")
            continue
        reason = ineligibility_reason(pkg, expert)
        if reason is not None:
            problems.append(f"备选专家“{a}”不符合条件：{reason}")
    pool = sum(
        1
        for e in pkg.experts
        if e.id not in members and e.id not in excluded and ineligibility_reason(pkg, e) is None
    )
    expected = min(pkg.rules.alternates, pool)
    replaced = "replacements" in panel.raw
    count_ok = len(panel.alternates) <= expected if replaced else len(panel.alternates) == expected
    if not count_ok:
        problems.append(f"备选专家应为{expected}名，实际为{len(panel.alternates)}名")
    elig = BY_ID["eligibility"]
    items.append(
        Item(
            "alternates",
            "备选专家为规定人数的、符合条件的非评委专家",
            elig.clause,
            not problems,
            "；".join(problems) if problems else f"{len(panel.alternates)}名备选专家均符合条件",
        )
    )
    return items


def verify_package(pkg: Package, panel: PanelFile) -> Report:
    report = Report()
    same = panel.instance_sha256 == pkg.instance_sha256 and panel.meeting == pkg.meeting.id
    report.items.append(
        Item(
            "instance",
            "结果文件对应本抽取包",
            "draw-format.md：instance_sha256 为抽取包文件字节的 SHA-256",
            same,
            "抽取包哈希与会议编号一致"
            if same
            else "结果文件的 instance_sha256 或会议编号与抽取包不符",
        )
    )
    if panel.status == "infeasible":
        report.items.append(
            Item(
                "status",
                "抽取结果",
                "draw-format.md：无合规评委会时 status 为 infeasible",
                False,
                "结果为无法抽取（infeasible），独立核验只能检查已抽出的评委会；"
                + "诊断："
                + "；".join(str(d.get("message", "")) for d in panel.raw.get("diagnosis", [])),
            )
        )
        return report
    report.items += _rule_items(pkg, panel)
    report.items += _alternate_items(pkg, panel)
    want_unc = exact_uncovered(pkg, panel.members, panel.alternates)
    unc_ok = sorted(panel.uncovered) == want_unc and list(panel.uncovered) == sorted(
        panel.uncovered
    )
    report.items.append(
        Item(
            "uncovered",
            "无备选可替换的评委名单（uncovered）准确",
            "draw-format.md：备选专家替换规则",
            unc_ok,
            f"无备选可替换的评委：{'、'.join(want_unc) or '无'}"
            + ("" if unc_ok else f"；结果文件列为：{'、'.join(panel.uncovered) or '无'}"),
        )
    )
    want_rec = recusals(pkg, panel.members)
    got_rec = {k: list(v) for k, v in panel.recusals.items()}
    rec_ok = got_rec == want_rec
    report.items.append(
        Item(
            "recusals",
            "回避名单（recusals）准确",
            BY_ID["min_voters_share"].clause,
            rec_ok,
            f"{len(want_rec)}名申报人有需回避的评委"
            + ("" if rec_ok else "；结果文件的回避名单与实际不符"),
        )
    )
    return report


def verify_panel(package_bytes: bytes, panel_bytes: bytes) -> Report:
    """Parse both files and verify (raises PackageError on bad input)."""
    return verify_package(parse_package(package_bytes), parse_panel(panel_bytes))
