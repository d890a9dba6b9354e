"""Checks the counting proof of an infeasible season meeting, with exact fractions, no solver.

A plan's diagnosis of a meeting that cannot join the drawn ones may carry `proof`:
`{"meetings": [ids], "farkas": [[row, y], …]}` (draw-format.md section 6 style). The
variables are x[m, e] ∈ [0, 1] for every meeting m and every expert e eligible at m (its
projection's `eligibility`); the rows are read from the season file here, by the contract's
definitions, sharing no code with the planner:

| row | sum over | sense |
|---|---|---|
| `[m, "panel_size", "max"]` / `[m, "panel_size", "min"]` | eligible at m | ≤ n / ≥ n |
| `[m, "min_full_senior_share"]` | rank 正高级 | ≥ need(share) |
| `[m, "min_share_under_age"]` | age < `age` | ≥ need(share) |
| `[m, "min_per_unit_kind", K]` | unit_kind K | ≥ count |
| `[m, "specialty_demand", S]` | listing S | ≥ count |
| `[m, "max_per_unit", U]` | unit U | ≤ max_per_unit |
| `["max_panels_per_expert", e]` | x[·, e] over every meeting | ≤ max_panels_per_expert |
| `["season_overlap", e, m1, m2]` | x[m1, e] + x[m2, e] (m1, m2 overlap) | ≤ 1 |

The proof holds when, with c = Σ y·a and B = Σ y·b (≤ rows negated), Σ max(c, 0) < B: then
no fractional, let alone whole, seating of the proof's meetings keeps every row. Meeting rows
must belong to the proof's meetings, every proof meeting but the diagnosed one must be drawn
in the plan, and the diagnosis's numbers (need, the group, at most `have` seats) are
recomputed. A row that does not exist or a multiplier that is not positive is bad input.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from solver.contract import Expert, Package, age_on
from solver.errors import PackageError
from solver.exact import need as need_of
from solver.registry import ineligibility_reason
from solver.season.package import Season

Var = tuple[str, str]  # (meeting id, expert id)
Row = tuple[list[Var], int, int]  # terms, sign (+1: ≥, −1: ≤), bound


class ProofError(PackageError):
    pass


def _bad(message: str) -> ProofError:
    return ProofError(message, field="diagnosis.proof")


class SeasonRows:
    """The named rows of a season, computed on demand from the season file."""

    def __init__(self, season: Season) -> None:
        self.season = season
        self.by_id = season.by_id()
        self._eligible: dict[str, list[Expert]] = {}
        self._ids: dict[str, set[str]] = {}

    def eligible_ids(self, mid: str) -> set[str]:
        got = self._ids.get(mid)
        if got is None:
            got = self._ids[mid] = {e.id for e in self.eligible(mid)}
        return got

    def eligible(self, mid: str) -> list[Expert]:
        got = self._eligible.get(mid)
        if got is None:
            pkg = self.by_id[mid].pkg
            got = [e for e in pkg.experts if ineligibility_reason(pkg, e) is None]
            self._eligible[mid] = got
        return got

    def _where(self, mid: str, keep: Any) -> list[Var]:
        return [(mid, e.id) for e in self.eligible(mid) if keep(e)]

    def expert_group(self, mid: str, kind: Sequence[str]) -> set[str] | None:
        """The experts of a demand row of meeting `mid` (None: no such row)."""
        row = self.row([mid, *kind])
        return None if row is None else {e for _m, e in row[0]}

    def row(self, name: Sequence[Any]) -> Row | None:
        if not name or not all(isinstance(p, str) for p in name):
            return None
        if name[0] == "max_panels_per_expert" and len(name) == 2:
            return self._cap(name[1])
        if name[0] == "season_overlap" and len(name) == 4:
            return self._overlap(name[1], name[2], name[3])
        meeting = self.by_id.get(name[0])
        return None if meeting is None else self._meeting_row(meeting.pkg, name[0], list(name[1:]))

    def _cap(self, eid: str) -> Row | None:
        cap = self.season.max_panels
        terms = [(mid, eid) for mid in self.by_id if eid in self.eligible_ids(mid)]
        return None if cap is None or not terms else (terms, -1, cap)

    def _overlap(self, eid: str, a: str, b: str) -> Row | None:
        ma, mb = self.by_id.get(a), self.by_id.get(b)
        if ma is None or mb is None or a == b or not ma.overlaps(mb):
            return None
        terms = [(mid, eid) for mid in (a, b) if eid in self.eligible_ids(mid)]
        return (terms, -1, 1) if terms else None

    def _meeting_row(self, pkg: Package, mid: str, rest: list[str]) -> Row | None:
        values: Mapping[str, Any] = pkg.rules.values
        n = pkg.rules.panel_size
        if rest in (["panel_size", "max"], ["panel_size", "min"]):
            return self._where(mid, lambda e: True), (-1 if rest[1] == "max" else 1), n
        if rest == ["min_full_senior_share"]:
            want = need_of(values.get("min_full_senior_share") or Fraction(0), n)
            return self._at_least(self._where(mid, lambda e: e.rank == "正高级"), want)
        if rest == ["min_share_under_age"]:
            return self._under_age(pkg, mid)
        if len(rest) == 2 and rest[0] == "min_per_unit_kind":
            want = dict(values.get("min_per_unit_kind") or ()).get(rest[1], 0)
            return self._at_least(self._where(mid, lambda e: e.unit_kind == rest[1]), want)
        if len(rest) == 2 and rest[0] == "specialty_demand":
            want = dict(values.get("specialty_demand") or ()).get(rest[1], 0)
            return self._at_least(self._where(mid, lambda e: rest[1] in e.specialties), want)
        if len(rest) == 2 and rest[0] == "max_per_unit":
            cap = values.get("max_per_unit")
            terms = self._where(mid, lambda e: e.unit == rest[1])
            return (terms, -1, cap) if cap is not None and terms else None
        return None

    def _under_age(self, pkg: Package, mid: str) -> Row | None:
        rule: Any = pkg.rules.values.get("min_share_under_age")  # an AgeShare when set
        if rule is None or pkg.meeting.window is None:
            return None
        day = _dt.date.fromisoformat(pkg.meeting.window[0])
        young = self._where(
            mid, lambda e: e.birth_date is not None and age_on(e.birth_date, day) < rule.age
        )
        return self._at_least(young, need_of(rule.share, pkg.rules.panel_size))

    @staticmethod
    def _at_least(terms: list[Var], want: int) -> Row | None:
        return (terms, 1, want) if want > 0 else None


def _multiplier(value: Any) -> Fraction:
    if isinstance(value, bool):
        raise _bad("乘数应为正整数或“p/q”")
    if isinstance(value, int):
        y = Fraction(value)
    elif isinstance(value, str) and value.count("/") == 1:
        p, q = value.split("/")
        if not (p.isdigit() and q.isdigit() and p.isascii() and q.isascii()) or int(q) == 0:
            raise _bad(f"乘数“{value}”应为正整数或“p/q”")
        y = Fraction(int(p), int(q))
    else:
        raise _bad(f"乘数“{value}”应为正整数或“p/q”")
    if y <= 0:
        raise _bad(f"乘数“{value}”应为正数")
    return y


def farkas_total(rows: Sequence[tuple[Row, Fraction]]) -> tuple[Fraction, Fraction]:
    """(Σ max(c, 0), B) for the weighted rows."""
    coef: dict[Var, Fraction] = defaultdict(Fraction)
    total = Fraction(0)
    for (terms, sign, bound), y in rows:
        total += y * sign * bound
        for v in terms:
            coef[v] += y * sign
    return sum((c for c in coef.values() if c > 0), Fraction(0)), total


def _rows_of(
    rows: SeasonRows, farkas: Any, meetings: set[str]
) -> tuple[list[tuple[Row, Fraction]], str | None]:
    """The proof's rows with their multipliers, or the first reason it is not about them."""
    if not isinstance(farkas, list) or not farkas:
        raise _bad("farkas：应为非空列表")
    out = []
    for item in farkas:
        if not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], list):
            raise _bad("farkas：每项应为 [行名, 乘数]")
        name, y = item
        row = rows.row(name)
        if row is None:
            raise _bad(f"farkas：行{name}不存在")
        if name[0] in rows.by_id and name[0] not in meetings:
            return [], f"行{name}不属于证明所列的例会"
        out.append((row, _multiplier(y)))
    return out, None


def _capacity(rows: SeasonRows, group: set[str], kind: list[str], meetings: list[str]) -> int:
    """The most seats of the kind the group can fill in `meetings`: per expert, the largest
    set of its meetings with pairwise disjoint windows (earliest end first), at most the cap."""
    cap = rows.season.max_panels
    at: dict[str, list[str]] = defaultdict(list)
    for mid in meetings:
        for e in rows.expert_group(mid, kind) or set():
            at[e].append(mid)
    total = 0
    for e in group:
        chosen: list[str] = []
        for mid in sorted(at.get(e, []), key=lambda m: (rows.by_id[m].end, m)):
            if all(not rows.by_id[mid].overlaps(rows.by_id[c]) for c in chosen):
                chosen.append(mid)
        total += len(chosen) if cap is None else min(cap, len(chosen))
    return total


def _group_claim(rows: SeasonRows, diag: Mapping[str, Any], meetings: list[str]) -> str | None:
    """The sentence's numbers recomputed: None when they hold, else what is wrong."""
    group = diag.get("group")
    if group is None:
        return None
    if not isinstance(group, dict) or not isinstance(group.get("row"), list):
        raise _bad("group：应为 {row, experts}")
    kind, claimed = [str(p) for p in group["row"]], group.get("experts")
    if not isinstance(claimed, list):
        raise _bad("group.experts：应为列表")
    actual: set[str] = set()
    want = 0
    for mid in meetings:
        row = rows.row([mid, *kind])
        if row is None:
            return f"例会{mid}没有行{kind}"
        actual |= {e for _m, e in row[0]}
        want += row[2]
    if set(claimed) != actual or len(claimed) != len(actual):
        return f"所称专家组{len(claimed)}名，按年度数据包应为{len(actual)}名"
    if diag.get("need") != want:
        return f"所称共需{diag.get('need')}名，按年度数据包应为{want}名"
    have = diag.get("have")
    most = _capacity(rows, actual, kind, meetings)
    if not isinstance(have, int) or have < most or have >= want:
        return f"所称最多{have}名，按年度数据包该组最多可担任{most}名，共需{want}名"
    return None


def check_proof(
    rows: SeasonRows, mid: str, diag: Mapping[str, Any], drawn: set[str]
) -> tuple[bool, str]:
    """(holds, one Chinese sentence) for meeting `mid`'s diagnosis entry with a proof."""
    proof = diag["proof"]
    if not isinstance(proof, dict) or not isinstance(proof.get("meetings"), list):
        raise _bad("proof：应为 {meetings, farkas}")
    meetings = [str(m) for m in proof["meetings"]]
    unknown = [m for m in meetings if m not in rows.by_id]
    if unknown:
        raise _bad(f"proof.meetings：未知例会{unknown[0]}")
    if mid not in meetings:
        return False, f"证明所列例会不含例会{mid}"
    undrawn = [m for m in meetings if m != mid and m not in drawn]
    if undrawn:
        return False, f"证明所列的例会{undrawn[0]}在结果中未抽出"
    weighted, wrong = _rows_of(rows, proof.get("farkas"), set(meetings))
    if wrong is not None:
        return False, wrong
    positive, total = farkas_total(weighted)
    if not positive < total:
        return False, f"计数证明不成立（Σmax(c,0) = {positive}，B = {total}）"
    wrong = _group_claim(rows, diag, meetings)
    if wrong is not None:
        return False, wrong
    others = "、".join(m for m in meetings if m != mid)
    return (
        True,
        f"计数证明成立：例会{mid}不能与已抽出的例会{others}同时抽取（精确核验，{len(weighted)}行）",
    )
