"""Declines: substitute alternates in list order, redraw the seats no alternate fits.

Declines are applied one after another in the order given. For each, the replacement is the
first alternate (list order) whose substitution for that member leaves the panel compliant;
members whose decline could not be covered keep their seat as a placeholder for these checks
until the redraw. Missing seats are then drawn again, lex-first in the same seeded order,
keeping every accepted member (original and substituted) and excluding everyone who declined.
A rule is never relaxed: if no compliant completion exists, the result is `infeasible`.
The drawn file's `seed_parts` (the two-party seed's evidence) are carried into every result,
and into its `original` (what was drawn) when that does not record them yet.

The compliance questions are answered on the engine's row system (solver/rowsystem.py), not
by the verifier's plain checks: the verifier replays the same history with its own code.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from solver.contract import Package
from solver.draw import draw_space, lex_first_panel
from solver.errors import PackageError
from solver.model import solver_info
from solver.order import seeded_order
from solver.package import parse_package
from solver.panel import PanelFile, panel_dict, parse_panel


class Seats:
    """Compliance of whole panels over the eligible candidates (an ineligible id never fits)."""

    def __init__(self, pkg: Package) -> None:
        space = draw_space(pkg)
        self.pos = space.feat.pos
        self.system = space.system

    def complies(self, ids: Sequence[str]) -> bool:
        if any(i not in self.pos for i in ids):
            return False
        return self.system.complies([self.pos[i] for i in ids])

    def first_fitting(self, members: Sequence[str], member: str, alts: Sequence[str]) -> str | None:
        rest = [x for x in members if x != member]
        return next((a for a in alts if a not in members and self.complies([*rest, a])), None)

    def uncovered(self, members: Sequence[str], alts: Sequence[str]) -> list[str]:
        return [m for m in sorted(set(members)) if self.first_fitting(members, m, alts) is None]


@dataclass
class Progress:
    """The panel while declines are applied: seats, alternates left, history, holes."""

    current: list[str]
    alternates: list[str]
    history: list[dict[str, str]]
    holes: list[str] = field(default_factory=list)


def _checked_inputs(pkg: Package, panel: PanelFile, declined: Sequence[str]) -> list[str]:
    """The declines in order, each once, after checking the panel belongs to the package."""
    if panel.status != "drawn":
        raise PackageError("PANEL status：只能对已抽出（drawn）的评委会办理替换", field="status")
    if panel.instance_sha256 != pkg.instance_sha256:
        raise PackageError(
            "PANEL instance_sha256：结果文件不是由该抽取包抽出的", field="instance_sha256"
        )
    for key, ids in (("members", panel.members), ("alternates", panel.alternates)):
        for i, eid in enumerate(ids):
            if eid not in pkg.expert_by_id:
                raise PackageError(
                    f"PANEL {key}[{i}]：专家“{eid}”不在抽取包的专家库中", field=f"{key}[{i}]"
                )
    order_decl: list[str] = []
    for d in declined:
        if d not in panel.members:
            raise PackageError(f"--declined：“{d}”不是该评委会的评委", field="--declined")
        if d not in order_decl:
            order_decl.append(d)
    return order_decl


# Extra fields of the drawn file that say how it was drawn, not what declines changed: they
# travel unchanged with every result after a decline (the two-party seed's evidence).
CARRIED = ("seed_parts",)


def _original(panel: PanelFile) -> Any:
    """The first draw travels with the history, so the verifier can replay every step."""
    first = panel.raw.get("original") or {
        "status": panel.status,
        "members": list(panel.members),
        "alternates": list(panel.alternates),
        "uncovered": list(panel.uncovered),
    }
    if isinstance(first, dict) and "seed_parts" in panel.raw and "seed_parts" not in first:
        first = {**first, "seed_parts": panel.raw["seed_parts"]}
    return first


def _finish(panel: PanelFile, result: dict[str, Any], history: list[dict[str, str]]) -> None:
    result["replacements"] = history
    result["original"] = _original(panel)
    for key in CARRIED:
        if key in panel.raw:
            result[key] = panel.raw[key]


def _substitute(seats: Seats, state: Progress, order_decl: Sequence[str]) -> None:
    for d in order_decl:
        by = seats.first_fitting(state.current, d, state.alternates)
        if by is None:
            state.holes.append(d)
            continue
        state.current = [by if m == d else m for m in state.current]
        state.alternates.remove(by)
        state.history.append({"declined": d, "by": by, "how": "alternate"})


def _redraw(
    pkg: Package, panel: PanelFile, state: Progress, excluded: set[str], workers: int
) -> bool:
    """Fill the holes lex-first keeping the accepted members; False when impossible."""
    kept = [m for m in state.current if m not in state.holes]
    members, _space, _stats = lex_first_panel(
        pkg, panel.seed, workers, fixed_ids=kept, excluded=excluded
    )
    if members is None:
        return False
    order = seeded_order(panel.seed, pkg.instance_sha256, members)
    new = [m for m in order if m not in kept]
    for d, by in zip(state.holes, new, strict=True):
        state.history.append({"declined": d, "by": by, "how": "redraw"})
    state.current = members
    state.alternates = [a for a in state.alternates if a not in members]
    return True


def _infeasible(pkg: Package, panel: PanelFile, state: Progress, started: float) -> dict[str, Any]:
    kept = len([m for m in state.current if m not in state.holes])
    diagnosis = [
        {
            "rule": "panel_size",
            "message": f"保留已接受的{kept}名评委后，无法补抽出{len(state.holes)}名评委组成合规"
            "的评委会；按规定应停止评审并重新组建评委会，不得放宽规则",
            "need": len(state.holes),
            "have": 0,
        }
    ]
    return panel_dict(
        pkg,
        panel.seed,
        members=[],
        alternates=[],
        uncovered=[],
        diagnosis=diagnosis,
        solver_info=solver_info(started),
        status="infeasible",
    )


def replace_members(
    package_bytes: bytes,
    panel_bytes: bytes,
    declined: Sequence[str],
    workers: int = 1,
    unavailable: Collection[str] = (),
) -> dict[str, Any]:
    """Replace declined members by alternates in order, redrawing seats no alternate fits.
    `unavailable`: experts a redrawn seat may not go to (booked elsewhere since the draw)."""
    started = time.perf_counter()
    pkg = parse_package(package_bytes)
    panel = parse_panel(panel_bytes)
    order_decl = _checked_inputs(pkg, panel, declined)
    history = [{"declined": r.declined, "by": r.by, "how": r.how} for r in panel.replacements]
    state = Progress(list(panel.members), list(panel.alternates), history)
    seats = Seats(pkg)
    _substitute(seats, state, order_decl)
    if state.holes:
        excluded = set(order_decl) | {r.declined for r in panel.replacements} | set(unavailable)
        if not _redraw(pkg, panel, state, excluded, workers):
            result = _infeasible(pkg, panel, state, started)
            _finish(panel, result, state.history)
            return result
    result = panel_dict(
        pkg,
        panel.seed,
        members=state.current,
        alternates=state.alternates,
        uncovered=seats.uncovered(state.current, state.alternates),
        solver_info=solver_info(started),
        status="drawn",
    )
    _finish(panel, result, state.history)
    return result
