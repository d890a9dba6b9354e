"""Check `pass_rate`: the counted pass rate is within `max_pass_rate`, or the record says why."""

from __future__ import annotations

from solver.contract import fraction_text
from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check
from solver.meeting.tally import percent


class PassRateCap(Check):
    id = "pass_rate"
    title_zh = "通过率不超过上限，超过时须说明理由"
    clause = (
        "大人社发〔2024〕45号 五(二)：实行“评聘分开”系列的高级职称评审通过率原则上不超过50%；"
        "二(二)：高技能人才单独分组、单独评审"
    )

    def _scope(self, case: MeetingCase) -> str:
        if case.record.rules.pass_rate_counts == "excluding_groups":
            return "（不含单独分组的申报人）"
        return ""

    def check(self, case: MeetingCase) -> list[str]:
        rate = case.pass_rate()
        explained = bool((case.record.explanation or "").strip())
        cap = case.record.rules.max_pass_rate
        if rate.above_cap and not explained:
            assert cap is not None
            return [
                f"通过率{self._scope(case)}{rate.passed}/{rate.voted}={percent(rate.rate)}，"
                f"超过上限{percent(cap)}，但记录中没有说明理由（explanation）"
            ]
        if not rate.above_cap and case.record.explanation is not None:
            return ["通过率未超过上限，记录中不应有超限说明（explanation）"]
        return []

    def describe(self, case: MeetingCase) -> str:
        rate = case.pass_rate()
        cap = case.record.rules.max_pass_rate
        head = f"通过率{self._scope(case)}{rate.passed}/{rate.voted}={percent(rate.rate)}"
        if cap is None:
            return head + "，不设上限"
        if rate.above_cap:
            return (
                f"{head}，超过上限{fraction_text(cap)}（{percent(cap)}），"
                f"说明：{(case.record.explanation or '').strip()}"
            )
        return f"{head}，不超过上限{fraction_text(cap)}（{percent(cap)}）"


CHECK = PassRateCap()
