"""Check `vote_quorum`: a vote is valid only when its voters reach the quorum."""

from __future__ import annotations

from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check
from solver.meeting.checks.quorum import QUORUM_CLAUSE


class VoteQuorum(Check):
    id = "vote_quorum"
    title_zh = "每名申报人的表决评委达到法定人数（表决有效）"
    clause = QUORUM_CLAUSE + "；回避评委不计入表决基数"

    def check(self, case: MeetingCase) -> list[str]:
        return [
            f"申报人“{v.applicant}”的表决无效：无回避的出席评委{case.voters(v.applicant)}名，"
            f"少于法定人数{case.quorum}名"
            for v in case.record.votes
            if not case.valid(v)
        ]

    def describe(self, case: MeetingCase) -> str:
        return f"每名申报人的表决评委均不少于{case.quorum}名，表决有效"


CHECK = VoteQuorum()
