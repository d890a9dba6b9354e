"""Selection odds by simulation (format `expertpool.odds/1`).

Draw i of a report uses the seed sha256("expertpool.odds/1\\n" + report_seed + "\\n" +
instance_sha256 + "\\n" + i), first 32 hex digits, so the same package and report seed give
the same draws on any machine. A `Tally` holds only integer counts per expert, and adding
tallies is order-free: draws 0..199 then 200..399 give the same counts, hence the same
report bytes, as draws 0..399 in one go (a resumed job changes nothing).

The eligibility, the row system and the row bounds do not depend on the seed: one
`DrawSpace` serves every draw of the package.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from solver.alternates import alternates_for
from solver.bestreport import best_section
from solver.contract import Package
from solver.diagnose import diagnose
from solver.draw import DrawSpace, draw_space, lex_first_panel

FORMAT = "expertpool.odds/1"
DEFAULT_DRAWS = 400
MIN_DRAWS, MAX_DRAWS = 1, 10000
DEFAULT_THRESHOLD = 0.5
Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal
DIGITS = 4  # probabilities are written rounded, so the bytes never depend on float noise


def draw_seed(report_seed: str, instance_sha256: str, i: int) -> str:
    text = f"{FORMAT}\n{report_seed}\n{instance_sha256}\n{i}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass
class Tally:
    """Integer counts over the draws [0, draws) of one package and report seed."""

    instance_sha256: str
    report_seed: str
    draws: int = 0
    members: dict[str, int] = field(default_factory=dict)
    alternates: dict[str, int] = field(default_factory=dict)
    infeasible: bool = False

    def add(self, members: list[str], alternates: list[str]) -> None:
        self.draws += 1
        for eid in members:
            self.members[eid] = self.members.get(eid, 0) + 1
        for eid in alternates:
            self.alternates[eid] = self.alternates.get(eid, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT + "#tally",
            "instance_sha256": self.instance_sha256,
            "report_seed": self.report_seed,
            "draws": self.draws,
            "members": dict(sorted(self.members.items())),
            "alternates": dict(sorted(self.alternates.items())),
            "infeasible": self.infeasible,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Tally:
        """Raises ValueError / KeyError / TypeError on anything but a tally this code wrote."""
        if doc["format"] != FORMAT + "#tally" or not isinstance(doc["infeasible"], bool):
            raise ValueError("not a tally")
        draws = doc["draws"]
        counts = [*doc["members"].values(), *doc["alternates"].values()]
        if any(type(v) is not int or not 0 <= v <= draws for v in [draws, *counts]):
            raise ValueError("bad counts")
        return cls(
            instance_sha256=str(doc["instance_sha256"]),
            report_seed=str(doc["report_seed"]),
            draws=int(doc["draws"]),
            members={str(k): int(v) for k, v in doc["members"].items()},
            alternates={str(k): int(v) for k, v in doc["alternates"].items()},
            infeasible=bool(doc["infeasible"]),
        )


def check_draws(k: int) -> None:
    if not MIN_DRAWS <= k <= MAX_DRAWS:
        raise ValueError(f"抽取次数应在 {MIN_DRAWS} 到 {MAX_DRAWS} 之间，收到 {k}")


def run_draws(
    pkg: Package,
    tally: Tally,
    stop: int,
    *,
    space: DrawSpace | None = None,
    workers: int = 1,
    on_draw: Callable[[int], None] | None = None,
) -> DrawSpace:
    """Continue `tally` with draws tally.draws .. stop-1 (the seed-independent space is reused)."""
    space = space or draw_space(pkg)
    while tally.draws < stop and not tally.infeasible:
        seed = draw_seed(tally.report_seed, pkg.instance_sha256, tally.draws)
        members, space, _ = lex_first_panel(pkg, seed, workers, space=space)
        if members is None:  # feasibility does not depend on the seed: no draw can succeed
            tally.infeasible = True
            break
        alts, _unc = alternates_for(pkg, space, members, seed, workers)
        tally.add(members, list(alts))
        if on_draw is not None:
            on_draw(tally.draws)
    return space


def wilson(count: int, k: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of count successes in k trials."""
    p = count / k
    z2 = Z95 * Z95
    denom = 1 + z2 / k
    centre = (p + z2 / (2 * k)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / k + z2 / (4 * k * k)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _estimate(count: int, k: int) -> dict[str, Any]:
    low, high = wilson(count, k)
    return {
        "count": count,
        "p": round(count / k, DIGITS),
        "low": round(low, DIGITS),
        "high": round(high, DIGITS),
    }


def _expert_rows(eligible: list[str], tally: Tally, threshold: float) -> list[dict[str, Any]]:
    k = tally.draws
    rows: list[dict[str, Any]] = []
    for eid in eligible:
        mc, ac = tally.members.get(eid, 0), tally.alternates.get(eid, 0)
        rows.append(
            {
                "id": eid,
                "member": _estimate(mc, k),
                "alternate": _estimate(ac, k),
                "flagged": mc / k > threshold,
            }
        )
    rows.sort(key=lambda r: (-int(r["member"]["count"]), -int(r["alternate"]["count"]), r["id"]))
    return rows


def odds_report(
    pkg: Package,
    tally: Tally,
    *,
    space: DrawSpace | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    best: bool = True,
    exact: bool = False,
    workers: int = 1,
) -> dict[str, Any]:
    """The `expertpool.odds/1` dict: a pure function of the package and the tally (and of
    `best` / `exact`: whether the best-lottery part is computed, by LP or exactly)."""
    space = space or draw_space(pkg)
    head: dict[str, Any] = {
        "format": FORMAT,
        "meeting": pkg.meeting.id,
        "instance_sha256": pkg.instance_sha256,
        "report_seed": tally.report_seed,
        "seed_rule": 'sha256("expertpool.odds/1\\n" + report_seed + "\\n" + '
        'instance_sha256 + "\\n" + i) 前32位十六进制',
        "draws": tally.draws,
        "panel_size": pkg.rules.panel_size,
        "alternates": pkg.rules.alternates,
        "eligible": space.feat.m,
        "threshold": threshold,
    }
    if tally.infeasible:
        return {**head, "status": "infeasible", "diagnosis": diagnose(pkg), "experts": []}
    rows = _expert_rows(sorted(space.feat.ids), tally, threshold)
    top = rows[0] if rows else None
    our_max = 0.0 if top is None else float(top["member"]["p"])
    return {
        **head,
        "status": "estimated",
        "max_member": None if top is None else {"id": top["id"], **top["member"]},
        "flagged": [r["id"] for r in rows if r["flagged"]],
        "best": best_section(space, our_max, threshold, exact=exact, workers=workers)
        if best
        else None,
        "experts": rows,
        "diagnosis": [],
    }


def simulate(
    pkg: Package,
    report_seed: str,
    k: int = DEFAULT_DRAWS,
    *,
    workers: int = 1,
    threshold: float = DEFAULT_THRESHOLD,
    on_draw: Callable[[int], None] | None = None,
    best: bool = True,
    exact: bool = False,
) -> dict[str, Any]:
    """Draws 0..k-1 and their report in one go."""
    check_draws(k)
    tally = Tally(pkg.instance_sha256, report_seed)
    space = run_draws(pkg, tally, k, workers=workers, on_draw=on_draw)
    return odds_report(
        pkg, tally, space=space, threshold=threshold, best=best, exact=exact, workers=workers
    )
