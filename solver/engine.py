"""Public entry points: draw, verify, replace (bytes in, plain dicts out)."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Any

import ortools

from solver.alternates import choose_alternates
from solver.diagnose import diagnose
from solver.draw import DrawSpace, lex_first_panel
from solver.order import seeded_order
from solver.package import Package, parse_package
from solver.panel import panel_dict
from solver.verify import Report, verify_panel

ENGINE = "ortools-cp-sat"


def solver_info(started: float, **extra: Any) -> dict[str, Any]:
    info = {
        "engine": ENGINE,
        "version": ortools.__version__,
        "seconds": round(time.perf_counter() - started, 3),
    }
    info.update(extra)
    return info


def alternates_for(
    pkg: Package,
    space: DrawSpace,
    members: Sequence[str],
    seed: str,
    workers: int,
    *,
    excluded: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """Alternates (seeded order) and uncovered members (sorted) for a drawn panel."""
    feat = space.feat
    member_set = set(members)
    skip = set(excluded)
    mem_idx = [feat.pos[m] for m in sorted(members)]
    order = seeded_order(seed, pkg.instance_sha256, feat.ids)
    xs = [feat.pos[e] for e in order if e not in member_set and e not in skip]
    alts, unc = choose_alternates(space.system, mem_idx, xs, pkg.rules.alternates, workers)
    return [feat.ids[i] for i in alts], sorted(feat.ids[mem_idx[j]] for j in unc)


def draw_package(pkg: Package, seed: str, workers: int = 1) -> dict[str, Any]:
    started = time.perf_counter()
    members, space, stats = lex_first_panel(pkg, seed, workers)
    if members is None:
        return panel_dict(
            pkg,
            seed,
            members=[],
            alternates=[],
            uncovered=[],
            diagnosis=diagnose(pkg),
            solver_info=solver_info(started),
            status="infeasible",
        )
    alts, unc = alternates_for(pkg, space, members, seed, workers)
    return panel_dict(
        pkg,
        seed,
        members=members,
        alternates=alts,
        uncovered=unc,
        solver_info=solver_info(started),
        status="drawn",
    )


def draw(package_bytes: bytes, seed: str, workers: int = 1) -> dict[str, Any]:
    """Draw a panel: the `expertpool.panel/1` dict. Raises PackageError on bad input."""
    return draw_package(parse_package(package_bytes), seed, workers)


def verify(package_bytes: bytes, panel_bytes: bytes) -> Report:
    """Rule-by-rule report from the independent checks (no CP-SAT involved)."""
    return verify_panel(package_bytes, panel_bytes)


def replace(
    package_bytes: bytes,
    panel_bytes: bytes,
    declined: Sequence[str],
    workers: int = 1,
    unavailable: Collection[str] = (),
) -> dict[str, Any]:
    """Replace declined members by alternates in order, redrawing seats no alternate fits.
    `unavailable`: experts a redrawn seat may not go to (booked elsewhere since the draw)."""
    from solver.replace import replace_members

    return replace_members(package_bytes, panel_bytes, declined, workers, unavailable)
