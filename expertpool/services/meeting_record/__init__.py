"""The review meeting (例会) day: attendance, vote tallies, pass rates, 高技能人才 groups,
closing, the `expertpool.meeting/1` record and its 备案 on time.

    from expertpool.services import meeting_record as mr
    mr.save_attendance(session, meeting, {"E000123": mr.Mark(True)}, actor, today, version=v)
    mr.save_votes(session, meeting, {"A0001": mr.Counts(15, 2, 1)}, actor, version=v)
    mr.close(session, meeting, actor, ended_on=day, explanation="", version=v)
    mr.filing(session, meeting, today).state
"""

from expertpool.services.meeting_record.calendar import deadline_after, save_year, supplied_years
from expertpool.services.meeting_record.day import (
    ABSENCE_REASONS,
    Counts,
    Mark,
    RowErrors,
    StaleVersion,
    attendance_by_code,
    day_of,
    open_day,
    present_codes,
    quorum,
    record_absence,
    save_attendance,
    save_rules,
    save_votes,
    seated,
    voters,
)
from expertpool.services.meeting_record.record import (
    FILING_STATES,
    HIGH_SKILL,
    Filing,
    Stats,
    check_files,
    check_stored,
    close,
    filing,
    group_of,
    log,
    mark_filed,
    record_bytes,
    record_dict,
    reopen,
    stats,
)
from expertpool.services.meeting_record.rules import (
    REVIEW_MODES,
    SOURCES,
    RuleRow,
    meeting_rules,
    review_mode,
    rule_rows,
    set_review_mode,
)

__all__ = [
    "ABSENCE_REASONS",
    "FILING_STATES",
    "HIGH_SKILL",
    "REVIEW_MODES",
    "SOURCES",
    "Counts",
    "Filing",
    "Mark",
    "RuleRow",
    "RowErrors",
    "StaleVersion",
    "Stats",
    "attendance_by_code",
    "check_files",
    "check_stored",
    "close",
    "day_of",
    "deadline_after",
    "filing",
    "group_of",
    "log",
    "mark_filed",
    "meeting_rules",
    "open_day",
    "present_codes",
    "quorum",
    "record_absence",
    "record_bytes",
    "record_dict",
    "reopen",
    "review_mode",
    "rule_rows",
    "save_attendance",
    "save_rules",
    "save_votes",
    "save_year",
    "seated",
    "set_review_mode",
    "stats",
    "supplied_years",
    "voters",
]
