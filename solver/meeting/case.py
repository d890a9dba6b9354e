"""A meeting record beside its package and panel: what every check reads.

The seated experts are the panel's `members` (after its declines); the voters on an applicant
are the present members the panel's `recusals` do not list for that applicant. "Package
order" is the order of `applicants` in the package file (the parsed package sorts them)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from solver.contract import Package
from solver.meeting.record import MeetingRecord, Vote
from solver.meeting.tally import PassRate, pass_rate, passes, quorum_need, vote_valid
from solver.panel import PanelFile
from solver.reader import decode_json

__all__ = ["MeetingCase", "applicant_order", "build_case"]


def applicant_order(package_bytes: bytes) -> tuple[str, ...]:
    """Applicant ids in the package file's order (the package has been parsed already)."""
    top = decode_json(package_bytes, "抽取包")
    return tuple(str(a["id"]) for a in top.get("applicants", []))


@dataclass
class MeetingCase:
    pkg: Package
    panel: PanelFile
    panel_sha256: str
    record: MeetingRecord
    order: tuple[str, ...]
    _voters: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def members(self) -> tuple[str, ...]:
        return self.panel.members

    @property
    def seated(self) -> int:
        return len(self.panel.members)

    @cached_property
    def present(self) -> frozenset[str]:
        return frozenset(self.record.present) & frozenset(self.panel.members)

    @property
    def quorum(self) -> int:
        return quorum_need(self.record.rules.quorum_share, self.seated)

    def recused(self, applicant: str) -> frozenset[str]:
        return frozenset(self.panel.recusals.get(applicant, ()))

    def voters(self, applicant: str) -> int:
        """Present seated members not recused for `applicant`."""
        if applicant not in self._voters:
            self._voters[applicant] = len(self.present - self.recused(applicant))
        return self._voters[applicant]

    def valid(self, vote: Vote) -> bool:
        return vote_valid(self.voters(vote.applicant), self.record.rules.quorum_share, self.seated)

    def should_pass(self, vote: Vote) -> bool:
        voters = self.voters(vote.applicant)
        return passes(vote.yes, voters, self.valid(vote), self.record.rules.pass_share)

    def pass_rate(self) -> PassRate:
        """The counted pass rate, from the decisions the rules give (not the record's flags)."""
        rules = self.record.rules
        pairs = [(v.group, self.should_pass(v)) for v in self.record.votes]
        return pass_rate(pairs, rules.pass_rate_counts, rules.max_pass_rate)


def build_case(
    pkg: Package, package_bytes: bytes, panel: PanelFile, panel_bytes: bytes, record: MeetingRecord
) -> MeetingCase:
    return MeetingCase(
        pkg=pkg,
        panel=panel,
        panel_sha256=hashlib.sha256(bytes(panel_bytes)).hexdigest(),
        record=record,
        order=applicant_order(package_bytes),
    )
