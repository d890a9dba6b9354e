"""Brute force from the plain rule checks: over all subsets (for tiny instances only), and
the replacement of a declining member by enumerating the alternates. Nothing here calls the
engine's decisions (solver/replace.py, solver.verify's replay helpers)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from solver.order import seeded_order
from solver.package import Package
from solver.registry import ineligibility_reason
from solver.verify import complies


def eligible_ids(pkg: Package) -> list[str]:
    return [e.id for e in pkg.experts if ineligibility_reason(pkg, e) is None]


def lex_first_panel(pkg: Package, seed: str) -> list[str] | None:
    order = seeded_order(seed, pkg.instance_sha256, eligible_ids(pkg))
    n = pkg.rules.panel_size
    # combinations() of an ordered list come out in lexicographic order of positions.
    for combo in combinations(order, n):
        if complies(pkg, combo):
            return sorted(combo)
    return None


def best_alternates(
    pkg: Package, seed: str, members: list[str]
) -> tuple[list[str], list[str], int]:
    """(lex-first max-coverage alternates, uncovered, max coverage)."""
    order = seeded_order(seed, pkg.instance_sha256, eligible_ids(pkg))
    xs = [e for e in order if e not in members]
    k = min(pkg.rules.alternates, len(xs))
    compat = {
        (x, m): complies(pkg, [*(y for y in members if y != m), x]) for x in xs for m in members
    }
    best: tuple[int, tuple[str, ...]] | None = None
    for combo in combinations(xs, k):
        cov = sum(1 for m in members if any(compat[x, m] for x in combo))
        if best is None or cov > best[0]:
            best = (cov, combo)
    assert best is not None
    cov, combo = best
    uncovered = sorted(m for m in members if not any(compat[x, m] for x in combo))
    return list(combo), uncovered, cov


def replacement(
    pkg: Package, members: Sequence[str], leaving: str, alternates: Sequence[str]
) -> str | None:
    """The contract's replacement by plain enumeration: try each alternate in list order and
    keep the first whose substitution for `leaving` leaves a compliant panel."""
    for candidate in alternates:
        if candidate in members:
            continue
        panel = [m for m in members if m != leaving] + [candidate]
        if complies(pkg, panel):
            return candidate
    return None


def uncovered(pkg: Package, members: Sequence[str], alternates: Sequence[str]) -> list[str]:
    """Members for whom no alternate is a replacement (sorted), by plain enumeration."""
    return sorted(m for m in set(members) if replacement(pkg, members, m, alternates) is None)
