"""The contract's arithmetic for a meeting (draw-format.md §5), shared by the verifier's
checks and the services that store tallies. Fractions are exact; rounding is upward."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from solver.exact import need

__all__ = ["PassRate", "counted", "pass_rate", "passes", "quorum_need", "vote_valid"]


def quorum_need(quorum_share: Fraction, seated: int) -> int:
    """Members who must be present (and voters per applicant): need(quorum_share) of the seats."""
    return need(quorum_share, seated)


def vote_valid(voters: int, quorum_share: Fraction, seated: int) -> bool:
    return voters >= quorum_need(quorum_share, seated)


def passes(yes: int, voters: int, valid: bool, pass_share: Fraction) -> bool:
    """`passed` ⇔ the vote is valid and yes ≥ ceil(pass_share × voters) ("以上" includes it)."""
    return valid and yes >= need(pass_share, voters)


def counted(group: str | None, counts: str) -> bool:
    """Whether a vote counts towards the pass-rate cap (`excluding_groups`: grouped ones don't)."""
    return counts == "all" or not group


@dataclass(frozen=True)
class PassRate:
    passed: int
    voted: int
    cap: Fraction | None

    @property
    def rate(self) -> Fraction | None:
        return None if self.voted == 0 else Fraction(self.passed, self.voted)

    @property
    def above_cap(self) -> bool:
        rate = self.rate
        return self.cap is not None and rate is not None and rate > self.cap


def pass_rate(
    votes: Iterable[tuple[str | None, bool]], counts: str, cap: Fraction | None
) -> PassRate:
    """Passed / voted over the votes that count ((group, passed) pairs)."""
    kept = [ok for group, ok in votes if counted(group, counts)]
    return PassRate(sum(kept), len(kept), cap)


def percent(value: Fraction | None) -> str:
    """A rate as a percentage with one decimal, e.g. 48.0%."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"
