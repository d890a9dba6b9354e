"""Verify a meeting record against its package and panel (draw-format.md §5)."""

from __future__ import annotations

from solver.meeting.case import MeetingCase, build_case
from solver.meeting.checks.base import joined
from solver.meeting.record import parse_record
from solver.meeting.registry import CHECKS
from solver.meeting.report import Item, Report
from solver.package import parse_package
from solver.panel import parse_panel

__all__ = ["verify_case", "verify_meeting"]


def verify_case(case: MeetingCase) -> Report:
    report = Report()
    for check in CHECKS:
        problems = check.check(case)
        detail = joined(problems) if problems else check.describe(case)
        report.items.append(Item(check.id, check.title_zh, check.clause, not problems, detail))
    return report


def verify_meeting(package_bytes: bytes, panel_bytes: bytes, meeting_bytes: bytes) -> Report:
    """Parse the three files and verify (raises PackageError on bad input)."""
    pkg = parse_package(package_bytes)
    panel = parse_panel(panel_bytes)
    record = parse_record(meeting_bytes)
    return verify_case(build_case(pkg, package_bytes, panel, panel_bytes, record))
