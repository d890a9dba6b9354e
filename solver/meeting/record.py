"""Parse an `expertpool.meeting/1` record (bytes → frozen dataclasses).

Bad input raises `PackageError` with one Chinese line naming the field (exit 2 at the CLI).
Whether the record fits its package and panel is the checks' business, not the parser's."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solver.errors import PackageError
from solver.reader import R, decode_json, shown

FORMAT = "expertpool.meeting/1"
PASS_RATE_COUNTS = ("all", "excluding_groups")

__all__ = ["FORMAT", "PASS_RATE_COUNTS", "Absence", "MeetingRecord", "MeetingRules", "Vote"]


@dataclass(frozen=True)
class MeetingRules:
    quorum_share: Fraction
    pass_share: Fraction
    max_pass_rate: Fraction | None = None
    pass_rate_counts: str = "all"


@dataclass(frozen=True)
class Absence:
    expert: str
    reason: str


@dataclass(frozen=True)
class Vote:
    applicant: str
    yes: int
    no: int
    abstain: int
    passed: bool
    group: str | None = None

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class MeetingRecord:
    raw: dict[str, Any]
    meeting: str
    panel_sha256: str
    rules: MeetingRules
    present: tuple[str, ...]
    absent: tuple[Absence, ...]
    votes: tuple[Vote, ...]
    explanation: str | None = None


def _rules(raw: object) -> MeetingRules:
    obj = R.obj(raw, "rules")
    cap_raw = obj.get("max_pass_rate")
    counts = obj.get("pass_rate_counts", "all")
    if counts not in PASS_RATE_COUNTS:
        raise PackageError(
            f"rules.pass_rate_counts：应为 all 或 excluding_groups，实际为“{shown(counts)}”",
            field="rules.pass_rate_counts",
        )
    return MeetingRules(
        quorum_share=R.fraction(
            R.require(obj, "quorum_share", "rules.quorum_share"), "rules.quorum_share"
        ),
        pass_share=R.fraction(R.require(obj, "pass_share", "rules.pass_share"), "rules.pass_share"),
        max_pass_rate=None if cap_raw is None else R.fraction(cap_raw, "rules.max_pass_rate"),
        pass_rate_counts=str(counts),
    )


def _ids(raw: object, path: str, seen: dict[str, str]) -> list[str]:
    out = []
    for i, value in enumerate(R.array(raw, path)):
        eid = R.string(value, f"{path}[{i}]")
        _once(eid, f"{path}[{i}]", seen)
        out.append(eid)
    return out


def _once(eid: str, path: str, seen: dict[str, str]) -> None:
    if eid in seen:
        raise PackageError(f"{path}：专家编号“{eid}”重复（已见于 {seen[eid]}）", field=path)
    seen[eid] = path


def _absent(raw: object, seen: dict[str, str]) -> list[Absence]:
    out = []
    for i, value in enumerate(R.array(raw, "absent")):
        p = f"absent[{i}]"
        obj = R.obj(value, p)
        eid = R.string(R.require(obj, "expert", f"{p}.expert"), f"{p}.expert")
        _once(eid, f"{p}.expert", seen)
        reason = R.string(R.require(obj, "reason", f"{p}.reason"), f"{p}.reason")
        out.append(Absence(eid, reason))
    return out


def _vote(raw: object, i: int) -> Vote:
    p = f"votes[{i}]"
    obj = R.obj(raw, p)
    group = obj.get("group")
    return Vote(
        applicant=R.string(R.require(obj, "applicant", f"{p}.applicant"), f"{p}.applicant"),
        yes=R.integer(R.require(obj, "yes", f"{p}.yes"), f"{p}.yes"),
        no=R.integer(R.require(obj, "no", f"{p}.no"), f"{p}.no"),
        abstain=R.integer(R.require(obj, "abstain", f"{p}.abstain"), f"{p}.abstain"),
        passed=R.boolean(R.require(obj, "passed", f"{p}.passed"), f"{p}.passed"),
        group=None if group is None else R.string(group, f"{p}.group", empty_ok=True) or None,
    )


def _votes(raw: object) -> list[Vote]:
    out: list[Vote] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(R.array(raw, "votes")):
        vote = _vote(value, i)
        if vote.applicant in seen:
            raise PackageError(
                f"votes[{i}].applicant：申报人“{vote.applicant}”重复（已见于 votes[{seen[vote.applicant]}]）",
                field=f"votes[{i}].applicant",
            )
        seen[vote.applicant] = i
        out.append(vote)
    return out


def parse_record(data: bytes) -> MeetingRecord:
    """Parse a meeting record from the bytes of its file."""
    top = R.obj(decode_json(bytes(data), "例会记录"), "例会记录")
    fmt = R.require(top, "format", "format")
    if fmt != FORMAT:
        raise PackageError(f"format：格式标记应为“{FORMAT}”，实际为“{shown(fmt)}”", field="format")
    seen: dict[str, str] = {}
    present = _ids(R.require(top, "present", "present"), "present", seen)
    absent = _absent(R.require(top, "absent", "absent"), seen)
    explanation = top.get("explanation")
    if explanation is not None:
        R.string(explanation, "explanation", empty_ok=True)
    return MeetingRecord(
        raw=top,
        meeting=R.string(R.require(top, "meeting", "meeting"), "meeting"),
        panel_sha256=R.string(R.require(top, "panel_sha256", "panel_sha256"), "panel_sha256"),
        rules=_rules(R.require(top, "rules", "rules")),
        present=tuple(present),
        absent=tuple(absent),
        votes=tuple(_votes(R.require(top, "votes", "votes"))),
        explanation=explanation,
    )
