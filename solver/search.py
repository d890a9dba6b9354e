"""Lexicographically first feasible set in a given order, by a greedy with an exact oracle.

For each item in order, while fewer than `size` are fixed: accept the item iff some feasible
set contains the fixed items plus this one and avoids the rejected ones. A witness (one such
set) is kept so most questions are answered without a solver. Each answer is a mathematical
fact, so the result depends only on the order, never on how a witness was found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Oracle(Protocol):
    witness: set[int]

    def surely_impossible(self, x: int) -> bool: ...

    def repair(self, x: int) -> bool: ...

    def solve_with(self, x: int) -> bool: ...

    def fix(self, x: int, member: bool) -> None: ...


def lex_first(
    order: Iterable[int], size: int, oracle: Oracle, fixed: Iterable[int] = ()
) -> list[int]:
    """Greedy lex-first completion of `fixed` to `size` items; needs an initial witness."""
    chosen = list(fixed)
    for x in order:
        if len(chosen) >= size:
            break
        if x in chosen:
            continue
        if x in oracle.witness:
            ok = True
        elif oracle.surely_impossible(x):
            ok = False
        else:
            ok = oracle.repair(x) or oracle.solve_with(x)
        oracle.fix(x, ok)
        if ok:
            chosen.append(x)
    if len(chosen) != size:  # pragma: no cover - the initial witness guarantees completion
        raise AssertionError("lex_first: witness lost")
    return chosen
