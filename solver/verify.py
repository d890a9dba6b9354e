"""Independent verification from the rules' plain checks alone (must not import ortools).

Nothing here shares code with the engine's decisions: compliance is the rules' plain checks,
and the replacement replay (`first_fitting_alternate`, `exact_uncovered`) is written out
here again, while the engine picks replacements on its row system (solver/replace.py)."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from solver.contract import Package, recusals
from solver.package import parse_package
from solver.panel import PanelFile, parse_panel
from solver.registry import ALL, BY_ID, complies, ineligibility_reason

__all__ = [
    "Item",
    "Report",
    "complies",
    "exact_uncovered",
    "first_fitting_alternate",
    "verify_package",
    "verify_panel",
]


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
    """The contract's replacement: the first alternate, in list order, whose substitution for
    `member` leaves the panel compliant (plain checks; the engine has its own, solver/replace.py)."""
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
            lines.append(f"[{mark}] {item.title}：{item.detail}")
        lines.append("结论：评委会合规，备选与回避信息准确" if self.ok else "结论：核验未通过")
        return "\n".join(lines)


def _rule_items(pkg: Package, panel: PanelFile) -> list[Item]:
    items = []
    for rule in ALL:
        found = rule.check(pkg, panel.members)
        detail = "；".join(v.message for v in found) if found else rule.describe(pkg) + "，满足"
        items.append(Item(rule.id, rule.title_zh, rule.clause, not found, detail))
    return items


def _drawn_alternate_problems(
    pkg: Package,
    members: Sequence[str],
    alternates: Sequence[str],
    excluded: AbstractSet[str],
) -> list[str]:
    """The alternates as drawn: distinct eligible non-members, as many as the rules ask for
    or all there are."""
    problems = []
    if len(set(alternates)) != len(alternates):
        problems.append("备选名单中有重复")
    for a in alternates:
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
    chosen = set(members)
    pool = sum(
        1
        for e in pkg.experts
        if e.id not in chosen and e.id not in excluded and ineligibility_reason(pkg, e) is None
    )
    expected = min(pkg.rules.alternates, pool)
    if len(alternates) != expected:
        problems.append(f"备选专家应为{expected}名，实际为{len(alternates)}名")
    return problems


def _history_problems(pkg: Package, panel: PanelFile) -> list[str]:
    """Replay the decline history from the original draw with the contract's replacement
    rule. Steps are in the order replace wrote them: within one call the alternate steps come
    first, and the seats left for redrawing stay filled by their decliners until their redraw
    steps, exactly as replace checks them; a redrawn seat needs the solver's seeded order to
    re-derive, so here it is only checked to be an eligible expert who had not declined."""
    original = panel.original
    if original is None:
        return ["结果文件含递补记录（replacements）但缺少原始抽取名单（original），无法核验"]
    problems = []
    if not complies(pkg, original.members):
        problems.append("原始抽取的评委会不合规")
    current = list(original.members)
    left = list(original.alternates)
    declined: set[str] = set()
    for i, step in enumerate(panel.replacements, 1):
        d, by = step.declined, step.by
        if d not in current:
            problems.append(f"第{i}条递补记录：“{d}”当时不是评委")
            break
        if by in current or by in declined or by == d:
            problems.append(f"第{i}条递补记录：“{by}”不能递补（已是评委或已请辞）")
            break
        if step.how == "alternate":
            want = first_fitting_alternate(pkg, current, d, left)
            if by != want:
                problems.append(
                    f"第{i}条递补记录：按备选顺序应由“{want or '（无可递补的备选专家）'}”"
                    f"递补“{d}”，记录为“{by}”"
                )
                break
        else:
            expert = pkg.expert_by_id.get(by)
            reason = "不在专家库中" if expert is None else ineligibility_reason(pkg, expert)
            if reason is not None:
                problems.append(f"第{i}条递补记录：重新抽取的“{by}”不符合条件：{reason}")
                break
        current = [by if m == d else m for m in current]
        left = [a for a in left if a != by]
        declined.add(d)
    else:
        if sorted(current) != sorted(panel.members):
            problems.append("按递补记录推得的评委与结果文件所列不符")
        if left != list(panel.alternates):
            problems.append("按递补记录推得的备选名单与结果文件所列不符")
    return problems


def _alternate_items(pkg: Package, panel: PanelFile, excluded: AbstractSet[str]) -> list[Item]:
    if panel.replacements:
        base = panel.original
        problems = _history_problems(pkg, panel)
        if base is not None:
            problems = (
                _drawn_alternate_problems(pkg, base.members, base.alternates, excluded) + problems
            )
    else:
        problems = _drawn_alternate_problems(pkg, panel.members, panel.alternates, excluded)
    if problems and panel.raw.get("season_excluded") and not excluded:
        problems.append("该结果来自年度联合抽取，备选名单须与年度数据包一起核验（verify-season）")
    done = f"{len(panel.alternates)}名备选专家均符合条件"
    if panel.replacements:
        done += f"；{len(panel.replacements)}条递补记录与原始抽取和替换规则一致"
    elig = BY_ID["eligibility"]
    return [
        Item(
            "alternates",
            "备选专家为规定人数的、符合条件的非评委专家",
            elig.clause,
            not problems,
            "；".join(problems) if problems else done,
        )
    ]


def verify_package(
    pkg: Package, panel: PanelFile, season_excluded: AbstractSet[str] = frozenset()
) -> Report:
    """Check the panel against the package alone. `season_excluded` is the set of experts a
    season plan may keep off this meeting's alternates; only a caller that has recomputed it
    from the season (solver/season/verify.py) passes it: the panel file's own list is a claim,
    never trusted here."""
    report = Report()
    same = panel.instance_sha256 == pkg.instance_sha256 and panel.meeting == pkg.meeting.id
    report.items.append(
        Item(
            "instance",
            "结果文件对应本抽取包",
            "抽取数据格式约定：结果文件记录的抽取包哈希为抽取包文件字节的 SHA-256",
            same,
            "抽取包哈希与会议编号一致"
            if same
            else "结果文件记录的抽取包哈希或会议编号与抽取包不符",
        )
    )
    if panel.status == "infeasible":
        report.items.append(
            Item(
                "status",
                "抽取结果",
                "抽取数据格式约定：不存在合规名单时结果为“无合规名单”",
                False,
                "结果为无合规名单，独立核验只能检查已抽出的评委会；"
                + "诊断："
                + "；".join(d["message"] for d in panel.raw.get("diagnosis", [])),
            )
        )
        return report
    in_order = list(panel.members) == sorted(panel.members)
    report.items.append(
        Item(
            "members_sorted",
            "评委名单按专家编号排序",
            "抽取数据格式约定：评委与无备选可替换的评委按编号排序",
            in_order,
            "已按编号排序" if in_order else "结果文件中的评委未按编号排序",
        )
    )
    report.items += _rule_items(pkg, panel)
    report.items += _alternate_items(pkg, panel, season_excluded)
    want_unc = exact_uncovered(pkg, panel.members, panel.alternates)
    unc_ok = sorted(panel.uncovered) == want_unc and list(panel.uncovered) == sorted(
        panel.uncovered
    )
    report.items.append(
        Item(
            "uncovered",
            "无备选可替换的评委名单准确",
            "抽取数据格式约定：备选专家替换规则",
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
            "回避名单准确",
            BY_ID["min_voters_share"].clause,
            rec_ok,
            f"{len(want_rec)}名申报人有需回避的评委"
            + ("" if rec_ok else "；结果文件的回避名单与实际不符"),
        )
    )
    return report


def verify_panel(
    package_bytes: bytes, panel_bytes: bytes, season_excluded: AbstractSet[str] = frozenset()
) -> Report:
    """Parse both files and verify (raises PackageError on bad input)."""
    return verify_package(parse_package(package_bytes), parse_panel(panel_bytes), season_excluded)
