"""One CP-SAT model for the whole season.

Each meeting's rules are the single-meeting formulations (solver/rules), written over that
meeting's own candidate Booleans and guarded by the meeting's `active` literal; an inactive
meeting seats nobody. The two season rules are guarded by one literal each, so the same
model answers feasibility questions and gives assumption cores for the diagnosis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from solver.draw import DrawSpace
from solver.errors import SolverFailure
from solver.model import ModelContext, make_solver
from solver.registry import ALL
from solver.season.package import Season
from solver.season.rules import SEASON_RULES
from solver.season.rules.season_overlap import overlap_cliques

__all__ = ["SeasonModel", "SharedContext", "overlap_cliques"]


class SharedContext(ModelContext):
    """A meeting's view of the season model: its own candidate Booleans, the shared model."""

    def __init__(self, space: DrawSpace, model: cp_model.CpModel, prefix: str) -> None:
        self.feat = space.feat
        self.n = space.feat.n
        self.model = model
        self.x = [model.new_bool_var(f"{prefix}:x{i}") for i in range(space.feat.m)]
        self._spec_totals: dict[str, Any] = {}


class SeasonModel:
    def __init__(self, season: Season, spaces: Sequence[DrawSpace]) -> None:
        self.season = season
        self.spaces = spaces
        self.model = cp_model.CpModel()
        self.ctx: list[SharedContext] = []
        self.active: list[Any] = []
        for j, (meeting, space) in enumerate(zip(season.meetings, spaces, strict=True)):
            ctx = SharedContext(space, self.model, meeting.id)
            act = self.model.new_bool_var(f"active:{meeting.id}")
            for rule in ALL:
                if not rule.applies(meeting.pkg):
                    continue
                for ct in rule.add_to_model(ctx):
                    ct.only_enforce_if(act)
            for v in ctx.x:  # an inactive meeting seats nobody
                self.model.add_implication(v, act)
            self.ctx.append(ctx)
            self.active.append(act)
            del j
        self.rule_lit = {r.id: self.model.new_bool_var(f"rule:{r.id}") for r in SEASON_RULES}
        # expert id → [(meeting index, candidate index)]
        self.seats: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for j, space in enumerate(spaces):
            for i, eid in enumerate(space.feat.ids):
                self.seats[eid].append((j, i))
        self._add_season_rules()

    def _add_season_rules(self) -> None:
        """Each season rule over each expert's seats, guarded by the rule's literal."""
        prepared = [rule.prepare(self.season) for rule in SEASON_RULES]
        for pairs in self.seats.values():
            if len(pairs) < 2:
                continue
            xs = {j: self.ctx[j].x[i] for j, i in pairs}
            for rule, prep in zip(SEASON_RULES, prepared, strict=True):
                rule.add_for_expert(self.model, prep, xs, self.rule_lit[rule.id])

    # Domain edits on the proto, as in the single-meeting model.
    def _set(self, var: Any, lo: int, hi: int) -> None:
        dom = self.model.proto.variables[var.index].domain
        dom[0] = lo
        dom[1] = hi

    def set_seat(self, j: int, i: int, lo: int, hi: int) -> None:
        self._set(self.ctx[j].x[i], lo, hi)

    def set_active(self, active: Sequence[int]) -> None:
        on = set(active)
        for j, lit in enumerate(self.active):
            self._set(lit, 1 if j in on else 0, 1 if j in on else 0)
        for lit in self.rule_lit.values():
            self._set(lit, 1, 1)

    def solve_restricted(
        self, workers: int, keep: dict[int, set[int]], hint: dict[int, set[int]] | None = None
    ) -> dict[int, set[int]] | None:
        """Solve with every free seat outside `keep` closed. A season found this way is a season
        of the full model too; None here proves nothing (the caller then asks the full model)."""
        closed = []
        variables = self.model.proto.variables
        for j, ctx in enumerate(self.ctx):
            allowed = keep.get(j, set())
            for i, v in enumerate(ctx.x):
                dom = variables[v.index].domain
                if i not in allowed and dom[0] == 0 and dom[1] == 1:
                    dom[1] = 0
                    closed.append(dom)
        try:
            return self.solve(workers, hint)
        finally:
            for dom in closed:
                dom[1] = 1

    def solve(
        self, workers: int, hint: dict[int, set[int]] | None = None
    ) -> dict[int, set[int]] | None:
        """A season assignment {meeting index: candidate indices}, or None when proven impossible."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
        for j, sel in (hint or {}).items():
            for i in sel:
                self.model.add_hint(self.ctx[j].x[i], 1)
        solver = make_solver(workers)
        status = solver.solve(self.model)
        if status == cp_model.INFEASIBLE:
            return None
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverFailure(f"CP-SAT 未能给出结论（状态 {solver.status_name(status)}）")
        out = {}
        for j, ctx in enumerate(self.ctx):
            vals = np.fromiter((solver.value(v) for v in ctx.x), dtype=np.int8, count=len(ctx.x))
            out[j] = {int(i) for i in np.flatnonzero(vals)}
        return out

    def core(self, assumptions: Sequence[Any]) -> list[Any] | None:
        """A subset of `assumptions` that cannot all hold (None when they can): 1 worker, no objective."""
        self.model.clear_assumptions()
        self.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
        self.model.add_assumptions(list(assumptions))
        solver = make_solver(1)
        status = solver.solve(self.model)
        self.model.clear_assumptions()
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        if status != cp_model.INFEASIBLE:
            raise SolverFailure(f"CP-SAT 未能给出结论（状态 {solver.status_name(status)}）")
        idx = set(solver.sufficient_assumptions_for_infeasibility())
        return [a for a in assumptions if a.index in idx]

    def free_all(self) -> None:
        """Every literal back to [0, 1] (before a core search)."""
        for lit in [*self.active, *self.rule_lit.values()]:
            self._set(lit, 0, 1)
        for ctx in self.ctx:
            for v in ctx.x:
                self._set(v, 0, 1)
