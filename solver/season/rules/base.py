"""What a season rule is: id, Chinese title, its parameter (read from the season file), a
plain check over the drawn panels (solver/season/verify.py), whether a seat is blocked given
the seats already taken (the plan and the verifier's exclusions), and its CP-SAT formulation
for one expert's seats (solver/season/model.py). Nothing here imports ortools."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from solver.season.package import Season


class SeasonRule:
    id: str = ""
    title_zh: str = ""

    def check(self, season: Season, seats: Mapping[str, list[str]]) -> dict[str, Any]:
        """Plain check: `seats` maps expert id → the ids of the meetings it sits on (sorted)."""
        raise NotImplementedError

    def blocks(self, season: Season, have: set[int], j: int, overlap: set[int]) -> bool:
        """Would one more seat at meeting j break the rule, given the expert's meetings `have`
        (`overlap`: the meetings whose windows share a day with j's)?"""
        raise NotImplementedError

    def prepare(self, season: Season) -> Any:
        """Data computed once per model (e.g. the overlap cliques)."""
        return None

    def add_for_expert(self, model: Any, prepared: Any, xs: Mapping[int, Any], lit: Any) -> None:
        """Constraints over one expert's seat Booleans (meeting index → variable)."""
        raise NotImplementedError

    def why(self, season: Season) -> str:
        """The rule in the competition diagnosis, one Chinese clause."""
        return self.title_zh


def guarded_sum_at_most(model: Any, terms: Sequence[Any], bound: int, lit: Any) -> None:
    model.add(sum(terms) <= bound).only_enforce_if(lit)
