"""Season rule `season_overlap`: nobody sits on two meetings whose windows overlap (inclusive)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from solver.season.rules.base import SeasonRule, guarded_sum_at_most

if TYPE_CHECKING:  # pragma: no cover
    from solver.season.package import Season


def overlap_cliques(season: Season) -> list[frozenset[int]]:
    """Maximal sets of meetings whose windows share a day (intervals: check at each start)."""
    ms = season.meetings
    cliques: list[frozenset[int]] = []
    for a in ms:
        clique = frozenset(j for j, b in enumerate(ms) if b.start <= a.start <= b.end)
        if len(clique) > 1 and not any(clique <= c for c in cliques):
            cliques = [c for c in cliques if not c <= clique] + [clique]
    return cliques


class SeasonOverlap(SeasonRule):
    id = "season_overlap"
    title_zh = "时间重叠的例会不能共用同一名评委"

    def check(self, season: Season, seats: Mapping[str, list[str]]) -> dict[str, Any]:
        by_id = season.by_id()
        clashes = []
        for e, mids in sorted(seats.items()):
            for a in range(len(mids)):
                for b in range(a + 1, len(mids)):
                    if by_id[mids[a]].overlaps(by_id[mids[b]]):
                        clashes.append(f"{e}（{mids[a]}与{mids[b]}）")
        message = (
            "以下专家被安排在时间重叠的评委会：" + "、".join(clashes)
            if clashes
            else "没有专家同时参加时间重叠的两个评委会"
        )
        return {"rule": self.id, "ok": not clashes, "message": message}

    def blocks(self, season: Season, have: set[int], j: int, overlap: set[int]) -> bool:
        return bool(have & overlap)

    def prepare(self, season: Season) -> Any:
        return overlap_cliques(season)

    def add_for_expert(self, model: Any, prepared: Any, xs: Mapping[int, Any], lit: Any) -> None:
        done: set[frozenset[int]] = set()
        for clique in prepared:
            mine = frozenset(j for j in clique if j in xs)
            if len(mine) > 1 and mine not in done:
                done.add(mine)
                guarded_sum_at_most(model, [xs[j] for j in mine], 1, lit)


RULE = SeasonOverlap()
