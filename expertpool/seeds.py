"""Where a draw's random seed comes from.

The web's draws use a two-party seed (expertpool/services/draw_sessions.py): a `SeedSource`
gives the system's part a, the supervisor gives part b, and the seed is
`combine(a, b)` (solver/seedparts.py defines H and the commitment).

A seed is 16 lowercase hex characters. Production draws take a fresh one from `secrets` on
every click (`secrets_seed`); tests and rehearsals inject a `SeedSource` that gives a known
sequence, so a draw and everything decided from it is reproducible.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Protocol

from solver.seedparts import SCHEME, combine, commitment

__all__ = [
    "SCHEME",
    "FixedSeed",
    "SeedSequence",
    "SeedSource",
    "combine",
    "commitment",
    "secrets_part",
    "secrets_seed",
]


class SeedSource(Protocol):
    def __call__(self) -> str: ...


def secrets_seed() -> str:
    """A fresh unpredictable seed (the default for every draw)."""
    return secrets.token_hex(8)


def secrets_part() -> str:
    """The system's part of a two-party seed: 128 unpredictable bits, 32 hex characters
    (its commitment is shown before the supervisor's part is entered)."""
    return secrets.token_hex(16)


class SeedSequence:
    """A reproducible sequence of seeds derived from ``base``: the n-th call always gives
    the same 16 hex characters."""

    def __init__(self, base: str = "expertpool") -> None:
        self.base = base
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return hashlib.sha256(f"{self.base}:{self.count}".encode()).hexdigest()[:16]


class FixedSeed:
    """Always the same seed."""

    def __init__(self, seed: str) -> None:
        self.seed = seed

    def __call__(self) -> str:
        return self.seed
