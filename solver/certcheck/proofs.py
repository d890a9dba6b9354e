"""Farkas proofs with splits (draw-format.md §6), read and checked with exact integers.

A `farkas` leaf lists rows with positive multipliers y; scaled by the common denominator
they give integer c_e = Σ y·a_e and B = Σ y·b, and the leaf holds for a rejection when
Σ_{IN} c_e + Σ_{FREE} max(c_e, 0) < B. Sums over the seeded order are kept as prefix and
suffix arrays per step, so checking one more rejection against a leaf costs O(1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from typing import Any

from solver.certcheck.errors import BadInput
from solver.certcheck.rows import Space, label


@dataclass
class Leaf:
    terms: list[tuple[tuple[str, ...], Fraction]]
    c: list[int] = field(default_factory=list)  # by eligible index, scaled to integers
    b: int = 0
    cache: dict[int, tuple[int, list[int], list[int]]] = field(default_factory=dict)

    def rows_text(self) -> str:
        return "、".join(f"{label(n)}×{y}" for n, y in self.terms)


@dataclass
class Split:
    expert: str
    out: Proof
    into: Proof


Proof = Leaf | Split


def multiplier(value: object, path: str) -> Fraction:
    if isinstance(value, int) and not isinstance(value, bool):
        if value > 0:
            return Fraction(value)
    elif isinstance(value, str):
        parts = value.split("/")
        if len(parts) == 2 and all(p.isascii() and p.isdigit() for p in parts):
            p, q = int(parts[0]), int(parts[1])
            if p > 0 and q > 0:
                return Fraction(p, q)
    raise BadInput(f"{path}：乘数应为正整数或形如“p/q”的正分数字符串，实际为 {value!r}")


MAX_SPLIT_DEPTH = 64  # far beyond any real proof; keeps recursion bounded


def parse_proof(raw: object, path: str, space: Space, depth: int = 0) -> Proof:
    if depth > MAX_SPLIT_DEPTH:
        raise BadInput(f"{path}：分情形嵌套超过{MAX_SPLIT_DEPTH}层")
    if not isinstance(raw, dict):
        raise BadInput(f"{path}：证明应为对象")
    if set(raw) == {"farkas"}:
        return _leaf(raw["farkas"], f"{path}.farkas", space)
    if set(raw) == {"split", "out", "in"}:
        f = raw["split"]
        if not isinstance(f, str) or f not in space.pkg.by_id:
            raise BadInput(f"{path}.split：应为抽取包中的专家编号，实际为 {f!r}")
        return Split(
            f,
            parse_proof(raw["out"], f"{path}.out", space, depth + 1),
            parse_proof(raw["in"], f"{path}.in", space, depth + 1),
        )
    raise BadInput(f"{path}：证明应只含 farkas，或只含 split、out、in")


def _leaf(raw: object, path: str, space: Space) -> Leaf:
    if not isinstance(raw, list) or not raw:
        raise BadInput(f"{path}：应为非空数组")
    terms = []
    for i, term in enumerate(raw):
        if not isinstance(term, list) or len(term) != 2 or not isinstance(term[0], list):
            raise BadInput(f"{path}[{i}]：应为 [行名, 乘数]")
        name = term[0]
        if not name or not all(isinstance(s, str) for s in name) or tuple(name) not in space.rows:
            raise BadInput(f"{path}[{i}]：本抽取包中没有行 {name!r}")
        terms.append((tuple(name), multiplier(term[1], f"{path}[{i}][1]")))
    leaf = Leaf(terms)
    _scale(leaf, space)
    return leaf


def _scale(leaf: Leaf, space: Space) -> None:
    """Integer c_e and B: every multiplier times the common denominator."""
    den = lcm(*(y.denominator for _, y in leaf.terms))
    m = len(space.experts)
    base = 0
    delta: dict[int, int] = {}
    b = 0
    for name, y in leaf.terms:
        row = space.rows[name]
        w = int(y * den) * row.sense
        b += w * row.bound
        if row.complement:
            base += w
            for i in row.members:
                delta[i] = delta.get(i, 0) - w
        else:
            for i in row.members:
                delta[i] = delta.get(i, 0) + w
    c = [base] * m
    for i, d in delta.items():
        c[i] += d
    leaf.c, leaf.b = c, b


@dataclass
class StepView:
    """One step's partition of the eligible experts along the seeded order."""

    key: int
    order: list[int]  # eligible indices in seeded order
    opos: dict[int, int]
    fixed: set[int]
    excluded: set[int]
    taken: set[int]  # members the step took (not its fixed ones)


def _sums(leaf: Leaf, step: StepView) -> tuple[int, list[int], list[int]]:
    got = leaf.cache.get(step.key)
    if got is None:
        c, order = leaf.c, step.order
        fixed_sum = sum(c[i] for i in step.fixed)
        before = [0] * (len(order) + 1)  # taken members at positions < p
        for p, i in enumerate(order):
            before[p + 1] = before[p] + (c[i] if i in step.taken else 0)
        after = [0] * (len(order) + 1)  # FREE after position p: after[p + 1]
        for p in range(len(order) - 1, -1, -1):
            i = order[p]
            free = i not in step.fixed and i not in step.excluded
            after[p] = after[p + 1] + (max(c[i], 0) if free else 0)
        got = leaf.cache[step.key] = (fixed_sum, before, after)
    return got


def holds(
    proof: Proof,
    space: Space,
    step: StepView,
    p: int,
    extra_in: frozenset[int] = frozenset(),
    gone: frozenset[int] = frozenset(),
) -> Leaf | None:
    """None when the proof holds for the rejection at order position p; else the first leaf
    that fails. A split on an expert who is not FREE there is bad input."""
    if isinstance(proof, Split):
        f = space.pos.get(proof.expert)
        free = (
            f is not None
            and f in step.opos
            and step.opos[f] > p
            and f not in step.fixed
            and f not in step.excluded
            and f not in extra_in
            and f not in gone
        )
        if not free:
            raise BadInput(
                f"证明在专家“{proof.expert}”上分情形，但该专家在此处不是待定专家（FREE）"
            )
        assert f is not None
        bad = holds(proof.out, space, step, p, extra_in, gone | {f})
        return bad or holds(proof.into, space, step, p, extra_in | {f}, gone | {f})
    fixed_sum, before, after = _sums(proof, step)
    c = proof.c
    r = step.order[p]
    value = fixed_sum + before[p] + c[r] + after[p + 1]
    for f in extra_in:
        value += c[f] - max(c[f], 0)
    for f in gone - extra_in:
        value -= max(c[f], 0)
    return None if value < proof.b else proof


def parse_proofs(raw: Any, space: Space, where: str) -> list[Proof]:
    if not isinstance(raw, list):
        raise BadInput(f"{where}.proofs：应为数组")
    return [parse_proof(p, f"{where}.proofs[{i}]", space) for i, p in enumerate(raw)]
