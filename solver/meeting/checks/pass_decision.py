"""Check `pass_decision`: passed ⇔ the vote is valid and yes ≥ ceil(pass_share × voters)."""

from __future__ import annotations

from solver.contract import fraction_text
from solver.exact import need
from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check


class PassDecision(Check):
    id = "pass_decision"
    title_zh = "通过与否由票数决定"
    clause = "人社部令第40号：同意票数达到出席评审专家总数三分之二以上方为通过（“以上”含本数）"

    def check(self, case: MeetingCase) -> list[str]:
        share = case.record.rules.pass_share
        out = []
        for v in case.record.votes:
            want = case.should_pass(v)
            if v.passed != want:
                voters = case.voters(v.applicant)
                why = (
                    "表决无效"
                    if not case.valid(v)
                    else f"同意{v.yes}票，需要至少{need(share, voters)}票（表决评委{voters}名）"
                )
                out.append(
                    f"申报人“{v.applicant}”记为{'通过' if v.passed else '未通过'}，"
                    f"按票数应为{'通过' if want else '未通过'}（{why}）"
                )
        return out

    def describe(self, case: MeetingCase) -> str:
        share = fraction_text(case.record.rules.pass_share)
        passed = sum(1 for v in case.record.votes if v.passed)
        return f"同意票不少于表决评委的{share}为通过：通过{passed}名，与票数一致"


CHECK = PassDecision()
