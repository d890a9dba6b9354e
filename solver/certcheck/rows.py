"""The named linear rows of draw-format.md §6 over the eligible experts, and compliance.

Each row is Σ_{e ∈ members} x_e ≥ bound (`sense` +1) or ≤ bound (`sense` -1); in the
Farkas form every row reads Σ a_e·x_e ≥ b with a_e = sense and b = sense·bound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from solver.certcheck.pkg import Expert, Pkg, age, ineligible, need


@dataclass(frozen=True)
class NamedRow:
    """Σ x_e over its experts ≥ bound (`sense` +1) or ≤ bound (`sense` -1). With `complement`
    the row sums over every eligible expert *not* in `members` (kept small that way)."""

    name: tuple[str, ...]
    members: frozenset[int]  # indices into Space.experts
    sense: int
    bound: int
    complement: bool = False

    def count(self, chosen: set[int]) -> int:
        inside = len(self.members & chosen)
        return len(chosen) - inside if self.complement else inside

    def has(self, i: int) -> bool:
        return (i in self.members) != self.complement

    def holds(self, count: int) -> bool:
        return count >= self.bound if self.sense > 0 else count <= self.bound


LABELS = {
    "panel_size": "评委人数",
    "min_full_senior_share": "正高级评委人数",
    "min_share_under_age": "中青年评委人数",
    "max_per_unit": "单位评委上限",
    "min_per_unit_kind": "单位类别评委人数",
    "specialty_demand": "专业评委人数",
    "min_voters_share": "申报人无回避评委人数",
    "min_specialist_voters": "申报人无回避本专业评委人数",
    "min_group_members": "评议组评委人数",
}


def label(name: Sequence[str]) -> str:
    """A row's name in Chinese for messages (the JSON name follows in brackets)."""
    head = LABELS.get(name[0], name[0])
    if name[0] == "panel_size":
        head += "上限" if name[1:] == ("max",) else "下限"
    elif len(name) > 1:
        head = f"{head}（{'、'.join(name[1:])}）"
    return head


class Space:
    """The eligible experts (package order) with the rows of §6."""

    def __init__(self, pkg: Pkg) -> None:
        self.pkg = pkg
        self.experts: list[Expert] = [e for e in pkg.experts if ineligible(pkg, e) is None]
        self.pos = {e.id: i for i, e in enumerate(self.experts)}
        self.rows: dict[tuple[str, ...], NamedRow] = {}
        self._build()

    def _add(
        self,
        name: tuple[str, ...],
        members: Iterable[int],
        sense: int,
        b: int,
        complement: bool = False,
    ) -> None:
        if sense > 0 and b <= 0:
            return  # a ≥ row whose count is 0 does not exist
        self.rows[name] = NamedRow(name, frozenset(members), sense, b, complement)

    def _index(self, key: Callable[[Expert], Iterable[str]]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for i, e in enumerate(self.experts):
            for k in key(e):
                out.setdefault(k, set()).add(i)
        return out

    def _build(self) -> None:
        pkg, r = self.pkg, self.pkg.rules
        n = r["panel_size"]
        self.by_unit = self._index(lambda e: (e.unit,))
        self.by_spec = self._index(lambda e: e.specialties)
        self._add(("panel_size", "max"), (), -1, n, complement=True)
        self._add(("panel_size", "min"), (), 1, n, complement=True)
        senior = (i for i, e in enumerate(self.experts) if e.rank == "正高级")
        self._add(("min_full_senior_share",), senior, 1, need(r["min_full_senior_share"], n))
        if r["min_share_under_age"] is not None:
            limit, share = r["min_share_under_age"]
            young = (i for i, e in enumerate(self.experts) if age(pkg, e) < limit)
            self._add(("min_share_under_age",), young, 1, need(share, n))
        if r["max_per_unit"] is not None:
            for unit in sorted(self.by_unit):
                self._add(("max_per_unit", unit), self.by_unit[unit], -1, r["max_per_unit"])
        kinds = self._index(lambda e: (e.kind,))
        for kind, count in r["min_per_unit_kind"].items():
            self._add(("min_per_unit_kind", kind), kinds.get(kind, ()), 1, count)
        for spec, count in r["specialty_demand"].items():
            self._add(("specialty_demand", spec), self.by_spec.get(spec, ()), 1, count)
        self._applicant_rows()
        self._group_rows()

    def _conflicted(self) -> dict[str, set[int]]:
        """Eligible experts conflicted with each applicant (§1 `conflicted`)."""
        pkg = self.pkg
        out: dict[str, set[int]] = {a.id: set() for a in pkg.applicants}
        if pkg.rules["recuse_same_unit"]:
            for a in pkg.applicants:
                out[a.id] |= self.by_unit.get(a.unit, set())
        for e_id, a_id in pkg.conflicts:
            if e_id in self.pos:
                out[a_id].add(self.pos[e_id])
        return out

    def _applicant_rows(self) -> None:
        pkg, r = self.pkg, self.pkg.rules
        voters = need(r["min_voters_share"], r["panel_size"])
        spec = r["min_specialist_voters"]
        if voters <= 0 and spec <= 0:
            return
        conflicted = self._conflicted()
        for a in pkg.applicants:
            bad = conflicted[a.id]
            self._add(("min_voters_share", a.id), bad, 1, voters, complement=True)
            listing = self.by_spec.get(a.specialty, set())
            self._add(("min_specialist_voters", a.id), listing - bad, 1, spec)

    def _group_rows(self) -> None:
        pkg, count = self.pkg, self.pkg.rules["min_group_members"]
        named = sorted({a.group for a in pkg.applicants if a.group is not None})
        for g in named:
            members: set[int] = set()
            for s in pkg.groups.get(g, []):
                members |= self.by_spec.get(s, set())
            self._add(("min_group_members", g), members, 1, count)

    # -- compliance -------------------------------------------------------------------
    def counts(self, idx: Iterable[int]) -> dict[tuple[str, ...], int]:
        chosen = set(idx)
        return {name: row.count(chosen) for name, row in self.rows.items()}

    def broken(self, ids: Sequence[str]) -> str | None:
        """Why the set of ids is not a compliant panel (§1 via the rows), or None."""
        if len(set(ids)) != len(ids):
            return "名单中有重复的专家"
        for x in ids:
            e = self.pkg.by_id.get(x)
            if e is None:
                return f"专家“{x}”不在抽取包的专家库中"
            why = ineligible(self.pkg, e)
            if why is not None:
                return f"专家“{x}”不符合条件：{why}"
        counts = self.counts(self.pos[x] for x in ids)
        for name, row in self.rows.items():
            if not row.holds(counts[name]):
                word = "至少" if row.sense > 0 else "至多"
                return f"{label(name)}应{word}为{row.bound}名，实际为{counts[name]}名"
        return None
