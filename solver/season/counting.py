"""Counting proofs that a meeting cannot join the season's drawn meetings (issue 20).

A joint CP-SAT solve that has to prove "meeting j cannot be drawn beside these" can take
forever on shapes where a counting argument settles it at once: three senior meetings need
13 正高级 members each, and the only 正高级 experts they can seat are 19 shared ones who may
sit on at most 2 meetings, so 39 seats face at most 38. Two exact proofs are tried first:

* the counting argument itself, over one demand row kind (正高级, a specialty, a unit kind,
  the experts under an age), the meetings that compete for its experts and the season rows
  that cap each of them (`max_panels_per_expert`, or `season_overlap` for overlapping
  windows): integers throughout, so the proof is exact as built;
* the LP relaxation of the sub-season (GLOP, phase one: the least total slack); a positive
  optimum's duals are Farkas multipliers, which are rationalised and checked with exact
  fractions. A check that fails proves nothing and the caller asks the exact joint model.

Either proof is a list of positive multipliers on named rows in the style of draw-format.md
section 6: meeting rows prefixed by the meeting id (`[id, "min_full_senior_share"]`,
`[id, "specialty_demand", S]`, `[id, "panel_size", "max"]`, `[id, "max_per_unit", U]`), season
rows `["max_panels_per_expert", e]` and `["season_overlap", e, m1, m2]`. The GLOP solve has no
time limit (the plan must replay), and its size is bounded by the sub-season it is given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from solver.draw import DrawSpace
from solver.season.package import Season

# The demand rows a counting argument can be made over: `key` in the row system → its name.
COUNTED = ("min_full_senior_share", "specialty_demand", "min_per_unit_kind", "min_share_under_age")

SEATS = "panel_size:min"  # the panel's seats, counted like a demand row
RowName = list[str]
Var = tuple[int, str]  # (meeting index, expert id)


def row_name(meeting_id: str, key: str) -> RowName:
    """The section-6 name of a row-system key, prefixed by the meeting id."""
    return [meeting_id, *key.split(":", 1)]


@dataclass
class Proof:
    """A Farkas proof that the meetings `meetings` cannot all be drawn together."""

    meetings: list[int]  # season indices, in priority order
    farkas: list[tuple[RowName, Fraction]]
    key: str | None = None  # the demand row kind of a counting argument (None: LP)
    need: int = 0
    group: list[str] = field(default_factory=list)
    capacity: int = 0
    rules: list[str] = field(default_factory=list)  # the season rules with a row in the proof

    def as_json(self) -> list[list[Any]]:
        return [[name, _num(y)] for name, y in self.farkas]


def _num(y: Fraction) -> Any:
    return int(y) if y.denominator == 1 else f"{y.numerator}/{y.denominator}"


class Demand:
    """Each meeting's demand rows of the counted kinds: key → (eligible expert ids, bound)."""

    def __init__(self, spaces: Sequence[DrawSpace]) -> None:
        self.spaces = spaces
        self._rows: dict[int, dict[str, tuple[frozenset[str], int]]] = {}

    def of(self, j: int) -> dict[str, tuple[frozenset[str], int]]:
        rows = self._rows.get(j)
        if rows is None:
            system, ids = self.spaces[j].system, self.spaces[j].feat.ids
            rows = {}
            for r, key in enumerate(system.keys):
                if key.split(":", 1)[0] in COUNTED and system.lo[r] > 0:
                    members = frozenset(ids[i] for i in np.flatnonzero(system.A[:, r]))
                    rows[key] = (members, int(system.lo[r]))
            rows[SEATS] = (frozenset(ids), self.spaces[j].feat.n)  # every seat
            self._rows[j] = rows
        return rows


# -- the counting argument ----------------------------------------------------------------


@dataclass
class _Count:
    need: int
    capacity: int
    group: set[str]
    capped: list[str]  # experts whose yearly-cap row is used
    pairs: list[tuple[str, int, int]]  # (expert, m1, m2) overlap rows used


def _pairs(season: Season, mine: list[int]) -> list[tuple[int, int]]:
    """Disjoint overlapping pairs among one expert's meetings (greedy in window order): each
    pair's `season_overlap` row takes one seat off the count."""
    ms = season.meetings
    out = []
    k = 0
    while k + 1 < len(mine):
        if ms[mine[k]].overlaps(ms[mine[k + 1]]):
            out.append((mine[k], mine[k + 1]))
            k += 2
        else:
            k += 1
    return out


def _count(season: Season, demand: Demand, key: str, chosen: list[int]) -> _Count:
    """Seats the chosen meetings need in `key`, and how many the experts can fill at most."""
    at: dict[str, list[int]] = defaultdict(list)
    need = 0
    for k in chosen:
        members, bound = demand.of(k)[key]
        need += bound
        for e in members:
            at[e].append(k)
    cap = season.max_panels
    out = _Count(need, 0, set(at), [], [])
    for e in sorted(at):
        mine = sorted(at[e])
        pairs = _pairs(season, mine)
        free = len(mine) - len(pairs)
        if cap is not None and cap < free:
            out.capped.append(e)
            out.capacity += cap
        else:
            out.pairs.extend((e, a, b) for a, b in pairs)
            out.capacity += free
    return out


def _grow(season: Season, demand: Demand, key: str, drawn: Sequence[int], j: int) -> list[int]:
    """Meetings competing with j for `key`'s experts: add, one at a time, the drawn meeting
    sharing some of the group so far that leaves the largest shortfall, until there is one."""
    chosen = [j]
    group = set(demand.of(j)[key][0])
    rest = [k for k in drawn if key in demand.of(k)]
    while True:
        now = _count(season, demand, key, chosen)
        if now.need > now.capacity:
            return chosen
        best: tuple[int, int] | None = None
        for k in rest:
            if k in chosen or not (demand.of(k)[key][0] & group):
                continue
            trial = _count(season, demand, key, [*chosen, k])
            score = trial.need - trial.capacity
            if best is None or score > best[0]:
                best = (score, k)
        if best is None:
            return []
        chosen.append(best[1])
        group |= demand.of(best[1])[key][0]


def _prune(season: Season, demand: Demand, key: str, chosen: list[int], j: int) -> list[int]:
    """Drop each competing meeting the shortfall does not need (j always stays)."""
    out = list(chosen)
    for k in list(chosen):
        if k == j:
            continue
        trial = [x for x in out if x != k]
        c = _count(season, demand, key, trial)
        if c.need > c.capacity:
            out = trial
    return sorted(out)


def counting_proof(season: Season, demand: Demand, drawn: Sequence[int], j: int) -> Proof | None:
    """A counting argument that j cannot be drawn beside (some of) `drawn`, or None."""
    for key in sorted(demand.of(j)):
        chosen = _grow(season, demand, key, drawn, j)
        if not chosen:
            continue
        chosen = _prune(season, demand, key, chosen, j)
        c = _count(season, demand, key, chosen)
        ms = season.meetings
        farkas: list[tuple[RowName, Fraction]] = [
            (row_name(ms[k].id, key), Fraction(1)) for k in chosen
        ]
        farkas += [(["max_panels_per_expert", e], Fraction(1)) for e in c.capped]
        farkas += [(["season_overlap", e, ms[a].id, ms[b].id], Fraction(1)) for e, a, b in c.pairs]
        rules = [
            r
            for r, used in (("season_overlap", c.pairs), ("max_panels_per_expert", c.capped))
            if used
        ]
        return Proof(chosen, farkas, key, c.need, sorted(c.group), c.capacity, rules)
    return None


# -- the LP relaxation --------------------------------------------------------------------

# A bound on the LP's size (deterministic work, not time): beyond it the sub-season keeps its
# most-sharing meetings only; an LP that proves nothing leaves the question to the exact model.
LP_MAX_VARIABLES = 200_000


@dataclass
class _Row:
    name: RowName
    terms: list[Var]
    sign: int  # +1: Σ x ≥ bound; −1: Σ x ≤ bound (written −Σ x ≥ −bound)
    bound: int


def meeting_rows(season: Season, spaces: Sequence[DrawSpace], k: int) -> list[_Row]:
    """Meeting k's panel-size, demand and unit-cap rows over its candidates."""
    feat, system, mid = spaces[k].feat, spaces[k].system, season.meetings[k].id
    everyone = [(k, e) for e in feat.ids]
    rows = [
        _Row([mid, "panel_size", "max"], everyone, -1, feat.n),
        _Row([mid, "panel_size", "min"], everyone, 1, feat.n),
    ]
    for r, key in enumerate(system.keys):
        if key.split(":", 1)[0] in COUNTED and system.lo[r] > 0:
            terms = [(k, feat.ids[i]) for i in np.flatnonzero(system.A[:, r])]
            rows.append(_Row(row_name(mid, key), terms, 1, int(system.lo[r])))
    for cap in system.caps:
        by_unit: dict[str, list[Var]] = defaultdict(list)
        for i, code in enumerate(cap.labels.tolist()):
            by_unit[feat.unit_names[code]].append((k, feat.ids[i]))
        for unit, terms in sorted(by_unit.items()):
            if len(terms) > cap.cap:
                rows.append(_Row([mid, "max_per_unit", unit], terms, -1, cap.cap))
    return rows


def season_rows(season: Season, spaces: Sequence[DrawSpace], sub: Sequence[int]) -> list[_Row]:
    """The yearly cap and the overlap rows of every expert with seats in two of `sub`."""
    at: dict[str, list[int]] = defaultdict(list)
    for k in sub:
        for e in spaces[k].feat.ids:
            at[e].append(k)
    ms = season.meetings
    rows = []
    for e, mine in sorted(at.items()):
        if len(mine) < 2:
            continue
        if season.max_panels is not None and len(mine) > season.max_panels:
            terms = [(k, e) for k in mine]
            rows.append(_Row(["max_panels_per_expert", e], terms, -1, season.max_panels))
        for a in range(len(mine)):
            for b in range(a + 1, len(mine)):
                if ms[mine[a]].overlaps(ms[mine[b]]):
                    name = ["season_overlap", e, ms[mine[a]].id, ms[mine[b]].id]
                    rows.append(_Row(name, [(mine[a], e), (mine[b], e)], -1, 1))
    return rows


SEASON_ROW_NAMES = ("max_panels_per_expert", "season_overlap")


Bounds = dict[Var, int]  # variables fixed to 1 (seated) or 0 (refused); the rest in [0, 1]


def farkas_holds(rows: Sequence[_Row], ys: Sequence[Fraction], fixed: Bounds | None = None) -> bool:
    """Exact: with c = Σ y·a and B = Σ y·b, no x (fixed ones as given, the rest in [0, 1])
    satisfies the rows when Σ_fixed c·x + Σ_free max(c, 0) < B."""
    return _gap(rows, ys, fixed) > 0


def _gap(rows: Sequence[_Row], ys: Sequence[Fraction], fixed: Bounds | None = None) -> Fraction:
    """B − the rows' largest weighted left side: positive exactly when they contradict."""
    fixed = fixed or {}
    coef: dict[Var, Fraction] = defaultdict(Fraction)
    total = Fraction(0)
    for row, y in zip(rows, ys, strict=True):
        if y == 0:
            continue
        total += y * row.sign * row.bound
        for v in row.terms:
            coef[v] += y * row.sign
    most = Fraction(0)
    for v, c in coef.items():
        x = fixed.get(v)
        most += max(c, Fraction(0)) if x is None else c * x
    return total - most


def _rational(duals: Sequence[float], limit: int) -> list[Fraction]:
    return [max(Fraction(d).limit_denominator(limit), Fraction(0)) for d in duals]


def _phase_one_duals(rows: Sequence[_Row], fixed: Bounds | None = None) -> list[float] | None:
    """Duals of min Σ slack s.t. sign·Σx + s ≥ sign·bound, 0 ≤ x ≤ 1 (the fixed ones as
    given); None when the least slack is 0 (the relaxation is feasible: nothing proven)."""
    fixed = fixed or {}
    from ortools.linear_solver import pywraplp

    lp = pywraplp.Solver.CreateSolver("GLOP")
    xs: dict[Var, Any] = {}
    cts = []
    for r, row in enumerate(rows):
        s = lp.NumVar(0.0, lp.infinity(), f"s{r}")
        ct = lp.Constraint(float(row.sign * row.bound), lp.infinity())
        ct.SetCoefficient(s, 1.0)
        for v in row.terms:
            x = xs.get(v)
            if x is None:
                lo, hi = (fixed[v], fixed[v]) if v in fixed else (0, 1)
                x = xs[v] = lp.NumVar(float(lo), float(hi), f"x{len(xs)}")
            ct.SetCoefficient(x, float(row.sign))
        cts.append(ct)
        lp.Objective().SetCoefficient(s, 1.0)
    lp.Objective().SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL or lp.Objective().Value() < 1e-7:
        return None
    return [ct.dual_value() for ct in cts]


def lp_refutes(rows: Sequence[_Row], fixed: Bounds) -> bool:
    """Does the LP relaxation of `rows` with the `fixed` seats prove there is no season?
    The duals are rationalised and checked exactly; a failed check proves nothing."""
    duals = _phase_one_duals(rows, fixed)
    if duals is None:
        return False
    return any(
        farkas_holds(rows, _rational([abs(d) for d in duals], lim), fixed)
        for lim in (1, 1000, 10**6)
    )


def _lp_part(
    season: Season, spaces: Sequence[DrawSpace], demand: Demand, drawn: Sequence[int], j: int
) -> list[int]:
    """j and the drawn meetings sharing experts of j's demand rows, most-sharing first, as
    many as the LP's size bound allows (ties by priority)."""
    wanted = set().union(*(m for m, _b in demand.of(j).values())) or set(spaces[j].feat.ids)
    shared = {k: len(wanted.intersection(spaces[k].feat.ids)) for k in drawn}
    ranked = sorted((k for k in drawn if shared[k]), key=lambda k: (-shared[k], k))
    part, size = [j], spaces[j].feat.m
    for k in ranked:
        if size + spaces[k].feat.m > LP_MAX_VARIABLES:
            break
        part.append(k)
        size += spaces[k].feat.m
    return sorted(part)


def lp_proof(
    season: Season, spaces: Sequence[DrawSpace], demand: Demand, drawn: Sequence[int], j: int
) -> Proof | None:
    """The LP relaxation of j beside its competing drawn meetings: a checked Farkas proof
    that they cannot all be drawn, or None (proves nothing)."""
    part = _lp_part(season, spaces, demand, drawn, j)
    if len(part) < 2:
        return None
    rows = [r for k in part for r in meeting_rows(season, spaces, k)]
    rows += season_rows(season, spaces, part)
    duals = _phase_one_duals(rows)
    if duals is None:
        return None
    for limit in (1, 1000, 10**6):
        ys = _rational([abs(d) for d in duals], limit)
        if farkas_holds(rows, ys):
            used = [(row, y) for row, y in zip(rows, ys, strict=True) if y > 0]
            index = {m.id: k for k, m in enumerate(season.meetings)}
            meetings = sorted({index[r.name[0]] for r, _y in used if r.name[0] in index} | {j})
            rules = sorted({r.name[0] for r, _y in used if r.name[0] not in index})
            return _as_counting(Proof(meetings, [(r.name, y) for r, y in used], rules=rules), used)
    return None


def _as_counting(proof: Proof, used: Sequence[tuple[_Row, Fraction]]) -> Proof:
    """An LP proof that is a counting argument (every multiplier 1, the meeting rows one
    demand kind of each proof meeting) gets its numbers, so that its diagnosis says them."""
    kinds = {tuple(r.name[1:]) for r, _y in used if r.name[0] not in SEASON_ROW_NAMES}
    if len(kinds) != 1 or any(y != 1 for _r, y in used):
        return proof
    (kind,) = kinds
    key = ":".join(kind)
    meeting_rows = [r for r, _y in used if r.name[0] not in SEASON_ROW_NAMES]
    if key.split(":", 1)[0] not in (*COUNTED, "panel_size") or any(
        r.sign < 0 for r in meeting_rows
    ):
        return proof
    if len(meeting_rows) != len(proof.meetings):
        return proof
    rows, ys = [r for r, _y in used], [y for _r, y in used]
    gap = _gap(rows, ys)
    need = sum(r.bound for r in meeting_rows)
    group = sorted({e for r in meeting_rows for _k, e in r.terms})
    proof.key, proof.need, proof.group = key, need, group
    proof.capacity = need - int(gap) if gap.denominator == 1 else need - int(gap) - 1
    return proof


def proof_holds(season: Season, spaces: Sequence[DrawSpace], proof: Proof) -> bool:
    """The proof's rows, rebuilt over the candidates of its meetings, and its multipliers
    checked with exact fractions (a proof naming a row not there does not hold)."""
    rows = [r for k in proof.meetings for r in meeting_rows(season, spaces, k)]
    rows += season_rows(season, spaces, proof.meetings)
    by_name = {tuple(r.name): r for r in rows}
    picked, ys = [], []
    for name, y in proof.farkas:
        row = by_name.get(tuple(name))
        if row is None or y <= 0:
            return False
        picked.append(row)
        ys.append(y)
    return farkas_holds(picked, ys)


# -- the diagnosis ----------------------------------------------------------------------


def _label(season: Season, j: int, key: str) -> str:
    kind, _, arg = key.partition(":")
    if key == SEATS:
        return ""
    if kind == "min_full_senior_share":
        return "正高级"
    if kind == "specialty_demand":
        return f"“{arg}”专业"
    if kind == "min_per_unit_kind":
        return f"{arg}类单位"
    rule = season.meetings[j].pkg.rules.values.get("min_share_under_age")
    return f"未满{getattr(rule, 'age', '')}周岁的"


def _limits(season: Season, rules: Sequence[str]) -> str:
    parts = []
    if "max_panels_per_expert" in rules:
        parts.append(f"每人每年最多参加{season.max_panels}个例会")
    if "season_overlap" in rules:
        parts.append("时间重叠的例会不能共用同一名评委")
    return "，".join(parts)


def proof_diagnosis(
    season: Season, spaces: Sequence[DrawSpace], proof: Proof, j: int
) -> dict[str, Any]:
    """The diagnosis of meeting j from its proof: the counting sentence with the numbers, the
    competing meetings, the experts' group and the multipliers (`proof`), which
    `verify-season` checks with exact arithmetic."""
    ms = season.meetings
    rivals = [k for k in proof.meetings if k != j]
    every = "、".join(ms[k].id for k in proof.meetings)
    head = f"例会{ms[j].id}单独可以抽取，但不能与例会{'、'.join(ms[k].id for k in rivals)}同时抽取"
    limits = _limits(season, proof.rules)
    out: dict[str, Any] = {"rule": (proof.rules or ["max_panels_per_expert"])[0]}
    if proof.key is not None:
        label = _label(season, j, proof.key)
        out["message"] = (
            f"{head}：例会{every}共需{label}评委{proof.need}名，可参加的{label}专家"
            f"{len(proof.group)}名，{limits}，最多{proof.capacity}名"
        )
        out["need"] = proof.need
        out["have"] = proof.capacity
        out["group"] = {"row": proof.key.split(":", 1), "experts": proof.group}
    else:
        out["message"] = (
            f"{head}：例会{every}的评委会规则在“{limits}”之下不能同时满足"
            f"（线性计数：{len(proof.farkas)}行加权相加即得矛盾）"
        )
    mine = set(spaces[j].feat.ids)
    shared: set[str] = set()
    for k in rivals:
        shared |= mine.intersection(spaces[k].feat.ids)
    out["contested"] = len(shared)  # j's candidates who are candidates of a rival too
    out["meetings"] = [ms[k].id for k in rivals]
    out["rules"] = list(proof.rules)
    out["proof"] = {"meetings": [ms[k].id for k in proof.meetings], "farkas": proof.as_json()}
    return out
