"""The recruitment shortfall report (一(二): where the pool is too thin, 正高级 first).

For each committee, what one draw with its alternates consumes is compared with the
eligible pool (after rotation bars and unavailability); the target is that need times a
margin, and the difference is how many experts to recruit.

Why a margin of 2 (ours, editable): a pool that only just covers one draw makes the
"random" draw forced — every eligible expert is taken, the same people every year, and
the list is guessable; and every decline beyond the alternates ends in a re-form. Twice
the need keeps each expert's chance of selection at most about one half and leaves a
full second set of replacements.

Supply is counted as a draw can use it, with the bounds the engine's diagnosis uses
(`solver.registry.supply_counts`, exact at margin 1), scaled by the margin. Eligibility is
the registry's (available, rank, consecutive years, age cap), the experts an applicant need
not recuse are counted as the rules' supply counts them (`Supply.free_count`), and: a unit gives at most
`max_per_unit` members to one panel, so it counts at most `margin × max_per_unit` towards a
target of `margin` panels (the margin means `margin` disjoint sets, each within the cap);
the same per rank, specialty and unit kind. For each applicant only the experts who need
not recuse count towards the voter base and the specialist voters. Where the cap or
recusals make the difference, recruits must come from other units, and the row says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.models import Meeting, Unit
from expertpool.services.packages import build_package
from solver import registry
from solver.contract import Applicant, Package, Rules, canonical_bytes
from solver.exact import need
from solver.features import Features
from solver.package import parse_package
from solver.rules.base import Supply
from solver.rules.min_group_members import MIN_GROUP_MEMBERS, group_specialties, named_groups

DEFAULT_MARGIN = 2
LEVEL_ZH = {"senior": "高级", "intermediate": "中级"}
ELSEWHERE = "需从其他单位补充"


@dataclass(frozen=True)
class SpecialtyShortfall:
    specialty: str
    applicants: int
    need: int  # target for this specialty (margin included)
    eligible: int
    usable: int  # eligible, each unit counted at most margin × max_per_unit
    eligible_full_senior: int
    recruit: int
    note: str = ""


@dataclass(frozen=True)
class KindShortfall:
    """A unit-kind quota (min_per_unit_kind), e.g. 高校 at least 5 of 25."""

    kind: str
    need: int
    eligible: int
    usable: int
    recruit: int
    note: str = ""


@dataclass(frozen=True)
class GroupShortfall:
    """A review group (评议组, min_group_members): members listing one of its specialties."""

    group: str
    applicants: int
    need: int
    eligible: int
    usable: int
    recruit: int
    note: str = ""


@dataclass(frozen=True)
class VoterShortfall:
    """The voter base (min_voters_share) of the applicant with the fewest usable voters."""

    applicant: str
    unit: str
    need: int
    eligible: int  # eligible experts this applicant need not recuse
    usable: int
    recruit: int
    note: str = ""


@dataclass(frozen=True)
class CommitteeShortfall:
    meeting_code: str
    committee_name: str
    level: str
    seats: int
    alternates: int
    margin: int
    max_per_unit: int | None
    need_total: int
    need_full_senior: int
    eligible_total: int
    eligible_full_senior: int
    usable_total: int
    usable_full_senior: int
    recruit_total: int
    recruit_full_senior: int
    demand_from_applicants: bool
    specialties: list[SpecialtyShortfall] = field(default_factory=list)
    unit_kinds: list[KindShortfall] = field(default_factory=list)
    voters: VoterShortfall | None = None
    notes: list[str] = field(default_factory=list)
    committee_id: int | None = None
    groups: list[GroupShortfall] = field(default_factory=list)

    @property
    def full_senior_share(self) -> float:
        return self.eligible_full_senior / self.eligible_total if self.eligible_total else 0.0

    @property
    def all_notes(self) -> list[str]:
        """Every reason recruits must come from other units, the whole committee first."""
        out = list(self.notes)
        out += [f"单位类别“{k.kind}”：{k.note}" for k in self.unit_kinds if k.note]
        if self.voters is not None and self.voters.note:
            out.append(f"表决基数：{self.voters.note}")
        out += [f"专业“{s.specialty}”：{s.note}" for s in self.specialties if s.note]
        out += [f"评议组“{g.group}”：{g.note}" for g in self.groups if g.note]
        return out


class _Supply:
    """Per-unit counts of the eligible experts, capped as a draw can use them."""

    def __init__(
        self, feat: Features, margin: int, cap: int | None, unit_names: Mapping[str, str]
    ) -> None:
        self.feat = feat
        self.margin = margin
        self.cap = cap
        self.per_unit = None if cap is None else margin * cap
        self.unit_names = unit_names
        self.all = np.ones(feat.m, dtype=bool)

    def counts(self, mask: np.ndarray, drop: Sequence[int] = ()) -> np.ndarray:
        keep = mask.copy()
        keep[list(drop)] = False
        return np.bincount(self.feat.unit_code[keep], minlength=len(self.feat.unit_names))

    def usable(self, counts: np.ndarray) -> int:
        if self.per_unit is None:
            return int(counts.sum())
        return int(np.minimum(counts, self.per_unit).sum())

    def name(self, unit: str) -> str:
        return self.unit_names.get(unit, unit)

    def crowding(self, counts: np.ndarray, want: int, recruit: int) -> str:
        """Why the cap adds recruits, when it does (else "")."""
        if self.per_unit is None or recruit <= max(0, want - int(counts.sum())):
            return ""
        over = sorted(np.flatnonzero(counts > self.per_unit), key=lambda u: (-counts[u], u))
        shown = "、".join(f"“{self.name(self.feat.unit_names[u])}”{counts[u]}名" for u in over[:3])
        more = f"等{len(over)}个单位" if len(over) > 3 else ""
        return (
            f"每个单位最多计{self.per_unit}名（同一单位上限{self.cap}名×余量{self.margin}），"
            f"{shown}{more}超出部分不计，{ELSEWHERE}{recruit}名"
        )


def _parse(package: dict[str, Any]) -> Package:
    return parse_package(canonical_bytes(package))


def _worst_applicant(
    supply: _Supply, mask: np.ndarray, groups: list[tuple[tuple[int, ...], list[str]]]
) -> tuple[int, str, int] | None:
    """(usable, applicant id, recused) of the applicant with the fewest usable experts in
    `mask` that it need not recuse; groups share one recusal set."""
    found = []
    for key, apps in groups:
        found.append((supply.usable(supply.counts(mask, key)), min(apps), len(key)))
    return min(found, key=lambda f: (f[0], f[1]), default=None)


@dataclass(frozen=True)
class _Context:
    """What every step of one committee's shortfall reads."""

    pkg: Package
    feat: Features
    supply: _Supply
    free: Supply  # eligible experts an applicant need not recuse
    apps: dict[str, Applicant]
    margin: int

    @property
    def rules(self) -> Rules:
        return self.pkg.rules


@dataclass(frozen=True)
class _Headcount:
    need: int
    usable: int
    recruit: int


def _headcount(ctx: _Context, mask: np.ndarray, need_count: int) -> tuple[_Headcount, str]:
    """Need, usable and recruits for one group of experts, with the crowding note."""
    counts = ctx.supply.counts(mask)
    usable = ctx.supply.usable(counts)
    recruit = max(0, need_count - usable)
    return _Headcount(need_count, usable, recruit), ctx.supply.crowding(counts, need_count, recruit)


def _panel_headcounts(ctx: _Context, notes: list[str]) -> tuple[_Headcount, _Headcount]:
    """The whole panel with its alternates, then its 正高级 (counted first)."""
    r, margin = ctx.rules, ctx.margin
    head, crowded = _headcount(ctx, ctx.supply.all, margin * (r.panel_size + r.alternates))
    if crowded:
        notes.append(crowded)
    share = r.min_full_senior_share
    need_full = margin * (need(share, r.panel_size) + need(share, r.alternates))
    full, crowded = _headcount(ctx, ctx.feat.full_senior, need_full)
    if crowded:
        notes.append(f"正高级：{crowded}")
    return head, full


def _kind_rows(ctx: _Context) -> list[KindShortfall]:
    """Unit-kind quotas, with alternates in the same proportion as the quota."""
    r = ctx.rules
    kinds = []
    for kind, want in r.min_per_unit_kind:
        if want <= 0:
            continue
        need_k = ctx.margin * (want + need(Fraction(want, r.panel_size), r.alternates))
        mask = ctx.feat.kind_mask(kind)
        count, note = _headcount(ctx, mask, need_k)
        kinds.append(
            KindShortfall(kind, need_k, int(mask.sum()), count.usable, count.recruit, note)
        )
    return kinds


def _group_rows(ctx: _Context) -> list[GroupShortfall]:
    """Review groups under the 评议组 rule: k members of the group's specialties, plus a
    spare (as for a specialty), `margin` times."""
    k = MIN_GROUP_MEMBERS.of(ctx.rules)
    if k <= 0:
        return []
    apps = Counter(a.group for a in ctx.pkg.applicants if a.group is not None)
    rows = []
    for g in named_groups(ctx.pkg):
        mask = np.zeros(ctx.feat.m, dtype=bool)
        for spec in group_specialties(ctx.pkg, g):
            mask |= ctx.feat.spec_mask(spec)
        count, note = _headcount(ctx, mask, ctx.margin * (k + 1))
        rows.append(
            GroupShortfall(
                g, apps[g], count.need, int(mask.sum()), count.usable, count.recruit, note
            )
        )
    return rows


def _voter_row(ctx: _Context, usable_total: int) -> VoterShortfall | None:
    """The voter base: every applicant needs enough voters it need not recuse."""
    r, supply = ctx.rules, ctx.supply
    voter_groups: dict[tuple[int, ...], list[str]] = {}
    for app_id, key in ctx.feat.conflicted.items():
        voter_groups.setdefault(key, []).append(app_id)
    if not (r.min_voters_share > 0 and voter_groups):
        return None
    worst = _worst_applicant(supply, supply.all, list(voter_groups.items()))
    assert worst is not None
    share = r.min_voters_share
    need_v = ctx.margin * (need(share, r.panel_size) + need(share, r.alternates))
    usable_v, app_id, recused = worst
    eligible_v = ctx.free.free_count(ctx.apps[app_id])
    recruit_v = max(0, need_v - usable_v)
    unit = supply.name(ctx.apps[app_id].unit)
    note = (  # only when recusal adds recruits, as with the cap
        f"申报人{app_id}（{unit}）须回避{recused}名专家，无需回避的可用专家{usable_v}名，"
        f"{ELSEWHERE}{recruit_v}名"
        if recruit_v > max(0, need_v - usable_total)
        else ""
    )
    return VoterShortfall(app_id, unit, need_v, eligible_v, usable_v, recruit_v, note)


def _specialist_voters(
    ctx: _Context, s: str, spec: np.ndarray, recruit: int, note: str
) -> tuple[int, str]:
    """Each applicant of the specialty needs enough specialist voters it need not recuse;
    the worst applicant raises the recruits when it asks for more than the demand."""
    k = ctx.rules.min_specialist_voters
    groups = [(key, ids) for sp, key, ids in ctx.feat.specialist_groups if sp == s]
    worst = _worst_applicant(ctx.supply, spec, groups)
    assert worst is not None
    need_sv = ctx.margin * (k + 1)
    usable_sv, app_id, _ = worst
    if need_sv - usable_sv <= recruit:
        return recruit, note
    recruit = need_sv - usable_sv
    unit = ctx.supply.name(ctx.apps[app_id].unit)
    return recruit, (
        f"申报人{app_id}（{unit}）回避后本专业可用专家{usable_sv}名（需{need_sv}名），"
        f"{ELSEWHERE}{recruit}名"
    )


def _specialty_rows(ctx: _Context, specialties: list[str]) -> list[SpecialtyShortfall]:
    """Specialties: the panel-wide demand, and each applicant's specialist voters."""
    applicant_counts = Counter(a.specialty for a in ctx.pkg.applicants)
    demand = dict(ctx.rules.specialty_demand)
    k = ctx.rules.min_specialist_voters
    rows = []
    names = list(dict.fromkeys(list(specialties) + sorted(applicant_counts) + sorted(demand)))
    for s in names:
        if applicant_counts:
            base = max(demand.get(s, 0), k if s in applicant_counts else 0)
        else:
            base = max(demand.get(s, 0), 1)  # before applicants are known: every specialty once
        spec = ctx.feat.spec_mask(s)
        count, note = _headcount(ctx, spec, ctx.margin * (base + 1) if base else 0)  # +1: a spare
        recruit = count.recruit
        if k > 0 and s in applicant_counts:
            recruit, note = _specialist_voters(ctx, s, spec, recruit, note)
        rows.append(
            SpecialtyShortfall(
                specialty=s,
                applicants=applicant_counts.get(s, 0),
                need=count.need,
                eligible=int(spec.sum()),
                usable=count.usable,
                eligible_full_senior=int((spec & ctx.feat.full_senior).sum()),
                recruit=recruit,
                note=note,
            )
        )
    return rows


def shortfall_from_package(
    package: dict[str, Any],
    specialties: list[str],
    margin: int = DEFAULT_MARGIN,
    unit_names: Mapping[str, str] | None = None,
) -> CommitteeShortfall:
    """Pure computation on one draw package (`unit_names` maps a package's unit codes to
    names for the notes)."""
    pkg = _parse(package)
    r = pkg.rules
    candidates = registry.eligible(pkg)
    feat = Features(pkg, candidates)
    ctx = _Context(
        pkg=pkg,
        feat=feat,
        supply=_Supply(feat, margin, r.max_per_unit, unit_names or {}),
        free=Supply(pkg, candidates, ""),
        apps={a.id: a for a in pkg.applicants},
        margin=margin,
    )
    notes: list[str] = []
    head, full = _panel_headcounts(ctx, notes)
    kinds = _kind_rows(ctx)
    voters = _voter_row(ctx, head.usable)
    rows = _specialty_rows(ctx, specialties)
    groups = _group_rows(ctx)
    # Groups may share specialties, so only the largest group's recruits surely add up.
    # 正高级 recruits count toward the total; so do specialty recruits, the unit kinds'
    # (disjoint, so they add up) and the voters'.
    recruit_total = max(
        full.recruit,
        head.recruit,
        sum(s.recruit for s in rows),
        sum(kd.recruit for kd in kinds),
        voters.recruit if voters else 0,
        max((g.recruit for g in groups), default=0),
    )
    return CommitteeShortfall(
        meeting_code=pkg.meeting.id,
        committee_name=pkg.meeting.committee or "",
        level=pkg.meeting.level or "",
        seats=r.panel_size,
        alternates=r.alternates,
        margin=margin,
        max_per_unit=r.max_per_unit,
        need_total=head.need,
        need_full_senior=full.need,
        eligible_total=feat.m,
        eligible_full_senior=int(feat.full_senior.sum()),
        usable_total=head.usable,
        usable_full_senior=full.usable,
        recruit_total=recruit_total,
        recruit_full_senior=full.recruit,
        demand_from_applicants=bool(pkg.applicants),
        specialties=rows,
        unit_kinds=kinds,
        voters=voters,
        notes=notes,
        groups=groups,
    )


def shortfall_report(
    session: Session, year: int, margin: int = DEFAULT_MARGIN, *, today: date | None = None
) -> list[CommitteeShortfall]:
    """Each meeting of `year`, its pool counted as a draw on `today` could use it (a lapsed
    暂停至 counts the expert again; see `build_package`)."""
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.year == year)
        .options(selectinload(Meeting.committee), selectinload(Meeting.applicants))
        .order_by(Meeting.code)
    )
    unit_names = {uscc: name for uscc, name in session.execute(select(Unit.uscc, Unit.name))}
    report = []
    for meeting in meetings:
        package = build_package(session, meeting, today=today)
        committee = meeting.committee
        result = shortfall_from_package(package, committee.specialties, margin, unit_names)
        report.append(replace(result, committee_id=committee.id))
    return report


# The rows of the report, shared by the xlsx export and the JSON API: (key, 中文表头).
COLUMNS = [
    ("meeting_code", "例会编号"),
    ("committee", "评委会"),
    ("level", "层级"),
    ("scope", "范围"),
    ("item", "项目"),
    ("applicants", "申报人数"),
    ("need", "目标人数"),
    ("eligible", "符合条件人数"),
    ("usable", "可用人数"),
    ("recruit", "需补充人数"),
    ("need_full_senior", "正高级目标"),
    ("eligible_full_senior", "符合条件正高级"),
    ("usable_full_senior", "可用正高级"),
    ("recruit_full_senior", "需补充正高级"),
    ("note", "说明"),
]


def report_rows(report: list[CommitteeShortfall]) -> list[dict[str, Any]]:
    """One row per committee, then per specialty, unit kind and the voter base (English
    keys as in COLUMNS, Chinese values; None where a figure does not apply)."""
    rows: list[dict[str, Any]] = []
    for c in report:
        head: dict[str, Any] = {
            "meeting_code": c.meeting_code,
            "committee": c.committee_name,
            "level": LEVEL_ZH.get(c.level, c.level),
        }
        empty: dict[str, Any] = {key: None for key, _ in COLUMNS}
        applicants = sum(s.applicants for s in c.specialties)
        rows.append(
            empty
            | head
            | {
                "scope": "全评委会",
                "item": "评委及备选",
                "applicants": applicants if c.demand_from_applicants else None,
                "need": c.need_total,
                "eligible": c.eligible_total,
                "usable": c.usable_total,
                "recruit": c.recruit_total,
                "need_full_senior": c.need_full_senior,
                "eligible_full_senior": c.eligible_full_senior,
                "usable_full_senior": c.usable_full_senior,
                "recruit_full_senior": c.recruit_full_senior,
                "note": "；".join(c.notes),
            }
        )
        for s in c.specialties:
            if s.need or s.applicants:
                rows.append(
                    empty
                    | head
                    | {
                        "scope": "专业",
                        "item": s.specialty,
                        "applicants": s.applicants,
                        "need": s.need,
                        "eligible": s.eligible,
                        "usable": s.usable,
                        "recruit": s.recruit,
                        "eligible_full_senior": s.eligible_full_senior,
                        "note": s.note,
                    }
                )
        for kd in c.unit_kinds:
            rows.append(
                empty
                | head
                | {
                    "scope": "单位类别",
                    "item": kd.kind,
                    "need": kd.need,
                    "eligible": kd.eligible,
                    "usable": kd.usable,
                    "recruit": kd.recruit,
                    "note": kd.note,
                }
            )
        for g in c.groups:
            rows.append(
                empty
                | head
                | {
                    "scope": "评议组",
                    "item": g.group,
                    "applicants": g.applicants,
                    "need": g.need,
                    "eligible": g.eligible,
                    "usable": g.usable,
                    "recruit": g.recruit,
                    "note": g.note,
                }
            )
        if c.voters is not None:
            v = c.voters
            rows.append(
                empty
                | head
                | {
                    "scope": "表决基数",
                    "item": f"申报人{v.applicant}（{v.unit}）",
                    "need": v.need,
                    "eligible": v.eligible,
                    "usable": v.usable,
                    "recruit": v.recruit,
                    "note": v.note,
                }
            )
    return rows
