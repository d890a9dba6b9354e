"""Check `votes_listed`: one vote per applicant of the package, in package order."""

from __future__ import annotations

from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check


class VotesListed(Check):
    id = "votes_listed"
    title_zh = "每名申报人一条表决结果，按抽取包顺序"
    clause = (
        "例会记录格式约定：votes 按抽取包中申报人的顺序每人一条；大人社发〔2024〕45号 二(二)、"
        "附件3 一.2：高技能人才单独分组、单独评审（group 标明分组）"
    )

    def check(self, case: MeetingCase) -> list[str]:
        got = [v.applicant for v in case.record.votes]
        known = set(case.order)
        out = [f"“{a}”不是抽取包中的申报人" for a in got if a not in known]
        missing = [a for a in case.order if a not in set(got)]
        if missing:
            out.append(f"缺少申报人{'、'.join(missing)}的表决结果")
        if not out and got != list(case.order):
            first = next(i for i, (a, b) in enumerate(zip(got, case.order, strict=True)) if a != b)
            out.append(
                f"表决结果未按抽取包顺序排列：第{first + 1}条应为“{case.order[first]}”，"
                f"实际为“{got[first]}”"
            )
        return out

    def describe(self, case: MeetingCase) -> str:
        groups = sorted({v.group for v in case.record.votes if v.group})
        extra = f"，其中分组：{'、'.join(groups)}" if groups else ""
        return f"{len(case.order)}名申报人各有一条表决结果{extra}"


CHECK = VotesListed()
