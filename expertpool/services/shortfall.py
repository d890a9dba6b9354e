"""The recruitment shortfall report (一(二): where the pool is too thin, 正高级 first).

For each committee, what one draw with its alternates consumes is compared with the
eligible pool (after rotation bars and unavailability); the target is that need times a
margin, and the difference is how many experts to recruit.

Why a margin of 2 (ours, editable): a pool that only just covers one draw makes the
"random" draw forced — every eligible expert is taken, the same people every year, and
the list is guessable; and every decline beyond the alternates ends in a re-form. Twice
the need keeps each expert's chance of selection at most about one half and leaves a
full second set of replacements.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.models import Meeting
from expertpool.services.packages import build_package
from solver.package import parse_package
from solver.rules.eligibility import ineligibility_reason

DEFAULT_MARGIN = 2


@dataclass(frozen=True)
class SpecialtyShortfall:
    specialty: str
    applicants: int
    need: int  # target for this specialty (margin included)
    eligible: int
    eligible_full_senior: int
    recruit: int


@dataclass(frozen=True)
class CommitteeShortfall:
    meeting_code: str
    committee_id: int
    committee_name: str
    level: str
    seats: int
    alternates: int
    margin: int
    need_total: int
    need_full_senior: int
    eligible_total: int
    eligible_full_senior: int
    recruit_total: int
    recruit_full_senior: int
    demand_from_applicants: bool
    specialties: list[SpecialtyShortfall] = field(default_factory=list)

    @property
    def full_senior_share(self) -> float:
        return self.eligible_full_senior / self.eligible_total if self.eligible_total else 0.0


def _fraction(text: str | None) -> Fraction:
    return Fraction(text or "0/1")


def eligible_experts(package: dict) -> list[dict]:
    """The experts a draw may seat: the contract's eligibility rule itself
    (solver/rules/eligibility.py), so rotation and rank are judged in one place."""
    pkg = parse_package(json.dumps(package, ensure_ascii=False).encode("utf-8"))
    ok = {e.id for e in pkg.experts if ineligibility_reason(pkg, e) is None}
    return [e for e in package["experts"] if e["id"] in ok]


def shortfall_from_package(
    package: dict, specialties: list[str], margin: int = DEFAULT_MARGIN
) -> tuple:
    """Pure computation on one draw package; returns the fields of a CommitteeShortfall."""
    rules = package["rules"]
    n = int(rules["panel_size"])
    alternates = int(rules.get("alternates", 0))
    share = _fraction(rules.get("min_full_senior_share"))
    pool = eligible_experts(package)
    full = [e for e in pool if e["rank"] == "正高级"]
    need_total = margin * (n + alternates)
    need_full = margin * (math.ceil(share * n) + math.ceil(share * alternates))
    applicant_counts: dict[str, int] = {}
    for a in package["applicants"]:
        applicant_counts[a["specialty"]] = applicant_counts.get(a["specialty"], 0) + 1
    demand = dict(rules.get("specialty_demand", {}))
    specialist_voters = int(rules.get("min_specialist_voters", 0))
    from_applicants = bool(applicant_counts)
    rows = []
    names = list(dict.fromkeys(list(specialties) + sorted(applicant_counts) + sorted(demand)))
    for s in names:
        if from_applicants:
            base = max(demand.get(s, 0), specialist_voters if s in applicant_counts else 0)
        else:
            base = max(demand.get(s, 0), 1)  # before applicants are known: every specialty once
        need = margin * (base + 1) if base else 0  # +1: a spare to replace a decliner
        have = [e for e in pool if s in e["specialties"]]
        rows.append(
            SpecialtyShortfall(
                specialty=s,
                applicants=applicant_counts.get(s, 0),
                need=need,
                eligible=len(have),
                eligible_full_senior=sum(e["rank"] == "正高级" for e in have),
                recruit=max(0, need - len(have)),
            )
        )
    recruit_full = max(0, need_full - len(full))
    # 正高级 recruits count toward the total; specialty recruits do too.
    recruit_total = max(recruit_full, need_total - len(pool), sum(r.recruit for r in rows))
    return (
        n,
        alternates,
        need_total,
        need_full,
        len(pool),
        len(full),
        recruit_total,
        recruit_full,
        from_applicants,
        rows,
    )


def shortfall_report(
    session: Session, year: int, margin: int = DEFAULT_MARGIN
) -> list[CommitteeShortfall]:
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.year == year)
        .options(selectinload(Meeting.committee), selectinload(Meeting.applicants))
        .order_by(Meeting.code)
    )
    report = []
    for meeting in meetings:
        package = build_package(session, meeting)
        committee = meeting.committee
        (
            n,
            alternates,
            need_total,
            need_full,
            eligible,
            eligible_full,
            recruit_total,
            recruit_full,
            from_applicants,
            rows,
        ) = shortfall_from_package(package, committee.specialties, margin)
        report.append(
            CommitteeShortfall(
                meeting_code=meeting.code,
                committee_id=committee.id,
                committee_name=committee.name,
                level=committee.level,
                seats=n,
                alternates=alternates,
                margin=margin,
                need_total=need_total,
                need_full_senior=need_full,
                eligible_total=eligible,
                eligible_full_senior=eligible_full,
                recruit_total=recruit_total,
                recruit_full_senior=recruit_full,
                demand_from_applicants=from_applicants,
                specialties=rows,
            )
        )
    return report


LEVEL_ZH = {"senior": "高级", "intermediate": "中级"}


def report_rows(report: list[CommitteeShortfall]) -> list[list]:
    """One row per committee and specialty, as the xlsx export and the CLI show them."""
    rows = []
    for c in report:
        rows.append(
            [
                c.meeting_code,
                c.committee_name,
                LEVEL_ZH[c.level],
                "（全评委会）",
                "",
                c.need_total,
                c.eligible_total,
                c.recruit_total,
                c.need_full_senior,
                c.eligible_full_senior,
                c.recruit_full_senior,
            ]
        )
        for s in c.specialties:
            if s.need or s.applicants:
                rows.append(
                    [
                        c.meeting_code,
                        c.committee_name,
                        LEVEL_ZH[c.level],
                        s.specialty,
                        s.applicants,
                        s.need,
                        s.eligible,
                        s.recruit,
                        "",
                        s.eligible_full_senior,
                        "",
                    ]
                )
    return rows


HEADERS = [
    "例会编号",
    "评委会",
    "层级",
    "专业",
    "申报人数",
    "目标人数",
    "符合条件人数",
    "需补充人数",
    "正高级目标",
    "符合条件正高级",
    "需补充正高级",
]


def write_xlsx(report: list[CommitteeShortfall], year: int, target) -> None:  # noqa: ANN001
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年专家缺口"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in report_rows(report):
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # names are text, never formulas
    widths = [10, 48, 6, 18, 9, 9, 12, 10, 10, 13, 12]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.freeze_panes = "A2"
    note = wb.create_sheet("说明")
    note.append(["目标人数 = 一次抽取（评委 + 备选）所需人数 × 余量系数；正高级优先补充。"])
    note.append(
        [f"余量系数：{report[0].margin if report else DEFAULT_MARGIN}（本系统默认值，可调整）。"]
    )
    note.append(["无申报人数据时，按评委会每个专业至少1名评委估算。"])
    wb.save(target)
