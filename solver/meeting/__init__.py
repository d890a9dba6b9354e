"""The meeting record (`expertpool.meeting/1`, draw-format.md §5) and its independent verifier.

Plain Python only (no ortools, no database): the record is parsed (`record.py`), put beside
its package and panel (`case.py`), and checked by small modules in `checks/`, listed in
`registry.py` in report order. `tally.py` holds the contract's arithmetic (quorum, voters,
pass decision, pass rate), which the services also use to compute what they store.

    from solver.meeting import verify_meeting
    report = verify_meeting(package_bytes, panel_bytes, meeting_bytes)   # PackageError on bad input
    report.ok, report.text(), report.as_list()
"""

from __future__ import annotations

from solver.meeting.record import FORMAT, MeetingRecord, MeetingRules, parse_record
from solver.meeting.report import Item, Report
from solver.meeting.verify import verify_case, verify_meeting

__all__ = [
    "FORMAT",
    "Item",
    "MeetingRecord",
    "MeetingRules",
    "Report",
    "parse_record",
    "verify_case",
    "verify_meeting",
]
