"""The meeting record's checks in report order: a new check is one module in checks/ and one
entry here."""

from __future__ import annotations

from solver.meeting.checks import (
    attendance,
    panel_match,
    pass_decision,
    pass_rate,
    quorum,
    vote_counts,
    vote_quorum,
    votes_listed,
)
from solver.meeting.checks.base import Check

__all__ = ["BY_ID", "CHECKS"]

CHECKS: tuple[Check, ...] = (
    panel_match.CHECK,
    attendance.CHECK,
    quorum.CHECK,
    votes_listed.CHECK,
    vote_counts.CHECK,
    vote_quorum.CHECK,
    pass_decision.CHECK,
    pass_rate.CHECK,
)
BY_ID: dict[str, Check] = {c.id: c for c in CHECKS}
