"""Check `panel_match`: the record belongs to this panel, and the panel to this package."""

from __future__ import annotations

from solver.contract import recusals
from solver.meeting.case import MeetingCase
from solver.meeting.checks.base import Check


class PanelMatch(Check):
    id = "panel_match"
    title_zh = "例会记录对应本评委会名单和抽取包"
    clause = "例会记录格式约定：panel_sha256 为评委会结果文件字节的 SHA-256"

    def check(self, case: MeetingCase) -> list[str]:
        out = []
        rec, panel, pkg = case.record, case.panel, case.pkg
        if rec.panel_sha256 != case.panel_sha256:
            out.append("例会记录的 panel_sha256 与评委会结果文件不符")
        if rec.meeting != panel.meeting or panel.meeting != pkg.meeting.id:
            out.append(
                f"会议编号不一致：例会记录“{rec.meeting}”，结果文件“{panel.meeting}”，"
                f"抽取包“{pkg.meeting.id}”"
            )
        if panel.instance_sha256 != pkg.instance_sha256:
            out.append("评委会结果文件的 instance_sha256 与抽取包不符")
        if panel.status != "drawn":
            out.append("评委会结果为无法抽取（infeasible），没有可出席的评委")
        want = recusals(pkg, panel.members)
        if {k: list(v) for k, v in panel.recusals.items()} != want:
            out.append("评委会结果文件的回避名单（recusals）与抽取包不符")
        return out

    def describe(self, case: MeetingCase) -> str:
        return f"会议“{case.record.meeting}”，结果文件哈希、抽取包哈希与回避名单一致"


CHECK = PanelMatch()
