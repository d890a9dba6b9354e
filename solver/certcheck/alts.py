"""The alternates of draw-format.md §6, recomputed exactly with no solver.

Alternate x covers member m when the panel with m replaced by x complies. Among the sets of
k = min(alternates, eligible non-members) eligible non-members covering the most members,
the alternates are the lexicographically first in the seeded order. Coverage is a bitmask
over at most n members, so each step of the walk is a small exact max-coverage search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from solver.certcheck.rows import Space


def coverage(space: Space, members: Sequence[int], xs: Sequence[int]) -> dict[int, int]:
    """Bitmask (bit j: covers members[j]) for each non-member x of xs."""
    chosen = set(members)
    counts = {name: row.count(chosen) for name, row in space.rows.items()}
    xs_set = set(xs)
    out = dict.fromkeys(xs, 0)
    for j, m in enumerate(members):
        for x in _fitting(space, counts, m, xs_set):
            out[x] |= 1 << j
    return out


def _fitting(space: Space, counts: dict[tuple[str, ...], int], m: int, xs: set[int]) -> set[int]:
    """The non-members x for which the panel with m replaced by x satisfies every row."""
    ok = set(xs)
    for name, row in space.rows.items():
        after = counts[name] - (1 if row.has(m) else 0)
        if row.sense > 0 and after < row.bound - 1 or row.sense < 0 and after > row.bound:
            return set()  # no single newcomer can repair this row
        need_in = row.sense > 0 and after == row.bound - 1
        need_out = row.sense < 0 and after == row.bound
        if need_in or need_out:
            inside = {x for x in ok if row.has(x)} if row.complement else ok & row.members
            ok = inside if need_in else ok - inside
    return ok


class Reach:
    """Can `rem` more items from the free signatures lift coverage `base` to `target`?"""

    def __init__(self, target: int) -> None:
        self.target = target

    def can(self, base: int, rem: int, sigs: frozenset[int]) -> bool:
        return self._can(base, rem, sigs)

    @lru_cache(maxsize=200_000)  # noqa: B019 - one instance per walk
    def _can(self, base: int, rem: int, sigs: frozenset[int]) -> bool:
        if base.bit_count() >= self.target:
            return True
        if rem <= 0:
            return False
        gains = {s & ~base for s in sigs} - {0}
        # Only maximal gains matter: a subset of another gain never does better.
        top = sorted(gains, key=lambda s: -s.bit_count())
        if base.bit_count() + sum(s.bit_count() for s in top[:rem]) < self.target:
            return False
        maximal = [s for s in top if not any(s != t and s & t == s for t in top)]
        return any(
            self._can(base | s, rem - 1, frozenset(maximal[i + 1 :])) for i, s in enumerate(maximal)
        )


def best_coverage(sigs: Counter[int], k: int) -> int:
    union = 0
    for s in sigs:
        union |= s
    best = union.bit_count()
    distinct = frozenset(sigs)
    while best > 0 and not Reach(best).can(0, k, distinct):
        best -= 1
    return best


def alternates(
    space: Space, members: Sequence[int], order: Sequence[int], wanted: int, excluded: set[int]
) -> list[int]:
    """The §6 alternates (eligible indices, in the order taken)."""
    chosen = set(members)
    xs = [i for i in order if i not in chosen and i not in excluded]
    k = min(wanted, len(xs))
    if k == 0:
        return []
    sig = coverage(space, sorted(members), xs)
    left: Counter[int] = Counter(sig[x] for x in xs)
    reach = Reach(best_coverage(left, k))
    taken: list[int] = []
    cov = 0
    for p, x in enumerate(xs):
        if len(taken) == k:
            break
        left[sig[x]] -= 1
        if left[sig[x]] == 0:
            del left[sig[x]]
        rem = k - len(taken) - 1
        if len(xs) - p - 1 >= rem and reach.can(cov | sig[x], rem, frozenset(left)):
            taken.append(x)
            cov |= sig[x]
    return taken
