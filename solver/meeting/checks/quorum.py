"""Check `quorum`: the meeting is valid only when enough seated members are present."""

from __future__ import annotations

from solver.contract import fraction_text
from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check

QUORUM_CLAUSE = (
    "人社部令第40号《职称评审管理暂行规定》：评审会议须有三分之二以上评审专家出席"
    "（条款原文未存档，默认2/3，可修改）"
)


class Quorum(Check):
    id = "quorum"
    title_zh = "出席评委达到法定人数"
    clause = QUORUM_CLAUSE

    def check(self, case: MeetingCase) -> list[str]:
        have = len(case.present)
        if have < case.quorum:
            return [f"需要至少{case.quorum}名评委出席，实际出席{have}名，例会无效"]
        return []

    def describe(self, case: MeetingCase) -> str:
        share = fraction_text(case.record.rules.quorum_share)
        return (
            f"在任评委{case.seated}名，出席不少于{share}即至少{case.quorum}名，"
            f"实际出席{len(case.present)}名"
        )


CHECK = Quorum()
