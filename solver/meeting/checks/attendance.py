"""Check `attendance`: present and absent split the seated members exactly."""

from __future__ import annotations

from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check


class Attendance(Check):
    id = "attendance"
    title_zh = "出席与缺席恰好覆盖全部在任评委"
    clause = "例会记录格式约定：present 与 absent 恰好划分评委会的 members（递补之后）"

    def check(self, case: MeetingCase) -> list[str]:
        seated = set(case.members)
        listed = [*case.record.present, *(a.expert for a in case.record.absent)]
        out = [f"“{e}”不是本评委会的在任评委" for e in listed if e not in seated]
        missing = sorted(seated - set(listed))
        if missing:
            out.append(f"在任评委{'、'.join(missing)}既未列为出席也未列为缺席")
        return out

    def describe(self, case: MeetingCase) -> str:
        return (
            f"在任评委{case.seated}名：出席{len(case.record.present)}名，"
            f"缺席{len(case.record.absent)}名"
        )


CHECK = Attendance()
