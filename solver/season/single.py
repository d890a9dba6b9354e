"""Single-meeting exact questions with the seats held elsewhere as exclusions.

The season plan asks "can some compliant season hold every seat given so far plus this
one?". Two single-meeting questions bound that answer exactly:

* a relaxation — meeting j alone, with its own fixed and refused seats and every expert the
  season rules block given the FIXED seats elsewhere left out. No panel there: no season
  either (a season's panel at j is such a panel);
* a restriction — the same, also leaving out every expert blocked given the other meetings'
  current WITNESS panels. A panel there, put in place of the witness's panel at j, is a
  compliant season: the other panels are untouched and nobody on the new panel is blocked.

Both are answered by the single-meeting machinery (solver/reduced.py's exact model over
groups of interchangeable candidates, solver/draw.py's CP-SAT model), which is far cheaper
than the joint model. Every answer is a proven fact, so the plan never depends on which
question answered it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from solver.draw import DrawSpace
from solver.features import Features
from solver.model import build_model, solve_feasibility
from solver.reduced import ReducedOracle
from solver.rowsystem import PartialState
from solver.sample import sample_candidates


def state_without(state: PartialState, excluded: Iterable[int]) -> PartialState:
    """A copy of `state` with the `excluded` free candidates refused as well."""
    out = state.copy()
    for k in excluded:
        out.fix(int(k), False)
    return out


def ask_avoiding(
    space: DrawSpace,
    state: PartialState,
    excluded: Iterable[int],
    x: int,
    workers: int,
    order: list[int] | None = None,
) -> list[int] | None:
    """A compliant panel ⊇ F ∪ {x} avoiding R and `excluded`, or None (a proof)."""
    oracle = ReducedOracle(space.system, state_without(state, excluded), workers, order)
    return oracle.ask(x)


def panel_avoiding(
    space: DrawSpace, excluded: set[int], workers: int, order: Sequence[int]
) -> set[int] | None:
    """A compliant panel of the meeting alone avoiding `excluded`, or None (a proof).

    A small sample of the allowed candidates is modelled first (a panel found there is a
    panel); only if it holds none is every allowed candidate modelled (exact).
    """
    allowed = [i for i in order if i not in excluded]
    keep = sorted(sample_candidates(space.system, allowed))
    tries = [keep] if len(keep) < len(allowed) else []
    tries.append(sorted(allowed))
    for cands in tries:
        sub = Features(space.feat.pkg, [space.feat.experts[i] for i in cands])
        if sub.m < sub.n:
            continue
        ctx, _ = build_model(sub)
        found = solve_feasibility(ctx, workers)
        if found is not None:
            return {cands[int(i)] for i in found}
    return None


def swap_in(
    space: DrawSpace, sel: set[int], out: int, allowed: np.ndarray, order: Sequence[int]
) -> set[int] | None:
    """sel − out + y for the first allowed y (in `order`) that keeps the panel compliant."""
    rest = sorted(sel)
    ys = [y for y in order if allowed[y] and y not in sel]
    if not ys:
        return None
    ok = space.system.compatibility(rest, ys)[:, rest.index(out)]
    hits = np.flatnonzero(ok)
    if len(hits) == 0:
        return None
    return (sel - {out}) | {ys[int(hits[0])]}
