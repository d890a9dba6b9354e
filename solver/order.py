"""The seeded random order of experts: pure, machine-independent."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def order_key(seed: str, instance_sha256: str, expert_id: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{instance_sha256}\x00{expert_id}".encode()).digest()


def seeded_order(seed: str, instance_sha256: str, expert_ids: Iterable[str]) -> list[str]:
    """Expert ids sorted by sha256(seed, package hash, id); ties (impossible) by id."""
    return sorted(expert_ids, key=lambda eid: (order_key(seed, instance_sha256, eid), eid))
