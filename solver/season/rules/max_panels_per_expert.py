"""Season rule `max_panels_per_expert`: nobody sits on more than the given number of meetings
(the season file's top-level `max_panels_per_expert`; left out: no limit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from solver.reader import R
from solver.season.rules.base import SeasonRule, guarded_sum_at_most

if TYPE_CHECKING:  # pragma: no cover
    from solver.season.package import Season

KEY = "max_panels_per_expert"


def parse(top: Mapping[str, Any]) -> int | None:
    """The parameter from the season file (an integer ≥ 1, or null / left out: no limit)."""
    value = top.get(KEY)
    return None if value is None else R.integer(value, KEY, minimum=1)


class MaxPanelsPerExpert(SeasonRule):
    id = KEY
    title_zh = "每名专家每年参加的例会不超过规定次数"

    def check(self, season: Season, seats: Mapping[str, list[str]]) -> dict[str, Any]:
        cap = season.max_panels
        over = [
            f"{e}（{len(mids)}个）"
            for e, mids in sorted(seats.items())
            if cap is not None and len(mids) > cap
        ]
        if over:
            message = f"以下专家超过{cap}个评委会：" + "、".join(over)
        else:
            message = f"每名专家至多参加{cap}个评委会" if cap is not None else "未设上限"
        return {"rule": self.id, "ok": not over, "message": message}

    def blocks(self, season: Season, have: set[int], j: int, overlap: set[int]) -> bool:
        cap = season.max_panels
        return cap is not None and len(have - {j}) + 1 > cap

    def add_for_expert(self, model: Any, prepared: Any, xs: Mapping[int, Any], lit: Any) -> None:
        cap = prepared
        if cap is not None and len(xs) > cap:
            guarded_sum_at_most(model, list(xs.values()), cap, lit)

    def prepare(self, season: Season) -> Any:
        return season.max_panels

    def why(self, season: Season) -> str:
        return f"每名专家本年度至多参加{season.max_panels}个评委会"


RULE = MaxPanelsPerExpert()
