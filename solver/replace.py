"""Declines: substitute alternates in list order, redraw the seats no alternate fits.

Declines are applied one after another in the order given. For each, the replacement is the
first alternate (list order) whose substitution for that member leaves the panel compliant;
members whose decline could not be covered keep their seat as a placeholder for these checks
until the redraw. Missing seats are then drawn again, lex-first in the same seeded order,
keeping every accepted member (original and substituted) and excluding everyone who declined.
A rule is never relaxed: if no compliant completion exists, the result is `infeasible`.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Any

from solver.draw import lex_first_panel
from solver.engine import solver_info
from solver.errors import PackageError
from solver.order import seeded_order
from solver.package import parse_package
from solver.panel import panel_dict, parse_panel
from solver.verify import exact_uncovered, first_fitting_alternate


def replace_members(
    package_bytes: bytes,
    panel_bytes: bytes,
    declined: Sequence[str],
    workers: int = 1,
    unavailable: Collection[str] = (),
) -> dict[str, Any]:
    started = time.perf_counter()
    pkg = parse_package(package_bytes)
    panel = parse_panel(panel_bytes)
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

    history = [{"declined": r.declined, "by": r.by, "how": r.how} for r in panel.replacements]
    earlier_decliners = {r.declined for r in panel.replacements}
    # The first draw travels with the history, so the verifier can replay every step.
    original = panel.raw.get("original") or {
        "status": panel.status,
        "members": list(panel.members),
        "alternates": list(panel.alternates),
        "uncovered": list(panel.uncovered),
    }

    current = list(panel.members)
    alternates = list(panel.alternates)
    holes: list[str] = []
    for d in order_decl:
        by = first_fitting_alternate(pkg, current, d, alternates)
        if by is None:
            holes.append(d)
            continue
        current = [by if m == d else m for m in current]
        alternates.remove(by)
        history.append({"declined": d, "by": by, "how": "alternate"})

    if holes:
        kept = [m for m in current if m not in holes]
        excluded = set(order_decl) | earlier_decliners | set(unavailable)
        members, _space, _stats = lex_first_panel(
            pkg, panel.seed, workers, fixed_ids=kept, excluded=excluded
        )
        if members is None:
            diagnosis = [
                {
                    "rule": "panel_size",
                    "message": f"保留已接受的{len(kept)}名评委后，无法补抽出{len(holes)}名评委组成合规"
                    "的评委会；按规定应停止评审并重新组建评委会，不得放宽规则",
                    "need": len(holes),
                    "have": 0,
                }
            ]
            result = panel_dict(
                pkg,
                panel.seed,
                members=[],
                alternates=[],
                uncovered=[],
                diagnosis=diagnosis,
                solver_info=solver_info(started),
                status="infeasible",
            )
            result["replacements"] = history
            result["original"] = original
            return result
        order = seeded_order(panel.seed, pkg.instance_sha256, members)
        new = [m for m in order if m not in kept]
        for d, by in zip(holes, new, strict=True):
            history.append({"declined": d, "by": by, "how": "redraw"})
        current = members
        alternates = [a for a in alternates if a not in members]

    uncovered = exact_uncovered(pkg, current, alternates)
    result = panel_dict(
        pkg,
        panel.seed,
        members=current,
        alternates=alternates,
        uncovered=uncovered,
        solver_info=solver_info(started),
        status="drawn",
    )
    result["replacements"] = history
    result["original"] = original
    return result
