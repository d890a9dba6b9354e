"""Check `vote_counts`: for each applicant, yes + no + abstain = voters."""

from __future__ import annotations

from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check


class VoteCounts(Check):
    id = "vote_counts"
    title_zh = "每名申报人的同意、反对、弃权票之和等于表决评委人数"
    clause = (
        "人社部令第40号：评审专家无记名投票、不得委托；回避评委不计入表决基数"
        "（参照中国科学院评审回避规定）；例会记录格式约定：yes + no + abstain = voters"
    )

    def check(self, case: MeetingCase) -> list[str]:
        out = []
        for v in case.record.votes:
            voters = case.voters(v.applicant)
            if v.cast != voters:
                recused = len(case.recused(v.applicant) & case.present)
                out.append(
                    f"申报人“{v.applicant}”：同意{v.yes}+反对{v.no}+弃权{v.abstain}={v.cast}票，"
                    f"应为表决评委{voters}名（出席{len(case.present)}名，回避{recused}名）"
                )
        return out

    def describe(self, case: MeetingCase) -> str:
        return f"{len(case.record.votes)}条表决结果的票数之和均等于表决评委人数"


CHECK = VoteCounts()
