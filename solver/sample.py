"""A small candidate sample that usually holds a compliant panel.

A panel found among sampled candidates is a compliant panel of the whole pool, so solving
on the sample first is an exact shortcut for the witness searches; only when the sample
holds none is the whole pool modelled. Results never depend on the sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from solver.rowsystem import RowSystem


def sample_candidates(
    system: RowSystem, order: Sequence[int], extra: Iterable[int] = ()
) -> set[int]:
    """Six times the seats in the given order, topped up until every lower bound of the
    count rules has three times its need in the sample."""
    want = max(6 * system.n, 60)
    keep = set(extra)
    keep.update(order[:want])
    need = 3 * system.lo
    if len(need) == 0:
        return keep
    have = system.A[sorted(keep)].sum(axis=0, dtype=np.int64) if keep else np.zeros_like(need)
    short = need > have
    for i in order[want:]:
        if not short.any():
            break
        if (system.A[i].astype(bool) & short).any():
            keep.add(i)
            have = have + system.A[i]
            short = need > have
    return keep
