"""Certificates of a drawn panel (`expertpool.certificate/1`, draw-format.md §6).

`certify_panel(package_bytes, panel)` gives one certificate per step: the original draw,
then one per decline call that redrew seats (`fixed`: the members that call kept;
`excluded`: everyone declined so far plus the call's `unavailable`, as solver/replace.py
draws it). Each certificate is confirmed by the solver-free checker's arithmetic
(solver/certcheck) before it is returned, so a certificate that would not pass is never
written. `certificate_bytes` is the file: one object for one step, else a JSON array of the
steps' objects (original first).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from solver.cert.named import NamedRows, named_rows
from solver.cert.prove import StepData, holds_all, leaf_vector, make_classes, masks_at, prove
from solver.draw import draw_space
from solver.order import seeded_order
from solver.package import parse_package

FORMAT = "expertpool.certificate/1"


@dataclass
class StepSpec:
    name: str | int
    members: list[str]
    fixed: list[str]
    excluded: list[str]


def _calls(panel: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    recorded = panel.get("declines")
    if isinstance(recorded, list) and recorded:
        return [
            (list(dict.fromkeys(c.get("declined", []))), list(c.get("unavailable", [])))
            for c in recorded
        ]
    calls: list[tuple[list[str], list[str]]] = []
    last = ""
    for r in panel.get("replacements", []):
        if not calls or (r["how"] == "alternate" and last == "redraw"):
            calls.append(([], []))
        calls[-1][0].append(r["declined"])
        last = r["how"]
    return calls


def panel_steps(panel: dict[str, Any]) -> list[StepSpec]:
    """The steps of a panel from its recorded history (the draw's own record, trusted here;
    the checker replays it independently)."""
    reps = panel.get("replacements") or []
    if not reps:
        return [StepSpec("original", list(panel["members"]), [], [])]
    current = list(panel["original"]["members"])
    steps = [StepSpec("original", list(current), [], [])]
    declined: set[str] = set()
    for k, (decl, unavailable) in enumerate(_calls(panel), 1):
        mine, reps = reps[: len(decl)], reps[len(decl) :]
        holes = [r for r in mine if r["how"] == "redraw"]
        for r in mine:
            if r["how"] == "alternate":
                current = [r["by"] if m == r["declined"] else m for m in current]
        declined |= set(decl)
        if holes:
            gone = {r["declined"] for r in holes}
            kept = [m for m in current if m not in gone]
            current = kept + [r["by"] for r in holes]
            steps.append(
                StepSpec(k, sorted(current), sorted(kept), sorted(declined | set(unavailable)))
            )
    return steps


def _row_name(rows: NamedRows, key: tuple[str, int]) -> list[str]:
    kind, j = key
    return list(rows.names[j]) if kind == "dense" else [rows.unit_key, rows.unit_names[j]]


def _mult(y: Fraction) -> int | str:
    return y.numerator if y.denominator == 1 else f"{y.numerator}/{y.denominator}"


def _proof_json(rows: NamedRows, ids: Sequence[str], tree: Any) -> dict[str, Any]:
    if tree[0] == "leaf":
        return {"farkas": [[_row_name(rows, key), _mult(y)] for key, y in tree[1]]}
    _, i, out, inn = tree
    return {"split": ids[i], "out": _proof_json(rows, ids, out), "in": _proof_json(rows, ids, inn)}


@dataclass
class StepStats:
    rejections: int = 0
    proofs: int = 0
    splits: int = 0
    lps: int = 0


def _splits(tree: Any) -> int:
    return 0 if tree[0] == "leaf" else 1 + _splits(tree[2]) + _splits(tree[3])


def certify_step(
    pkg: Any,
    seed: str,
    spec: StepSpec,
    stats: StepStats | None = None,
    *,
    prover: Callable[[StepData, np.ndarray, np.ndarray], Any] = prove,
) -> dict[str, Any]:
    """The certificate of one step; `prover` finds each proof tree (tests replace it)."""
    space = draw_space(pkg, spec.excluded)
    feat = space.feat
    rows = named_rows(feat)
    order = np.array(
        [feat.pos[e] for e in seeded_order(seed, pkg.instance_sha256, feat.ids)], np.int64
    )
    fixed = np.zeros(feat.m, bool)
    fixed[[feat.pos[x] for x in spec.fixed]] = True
    taken = np.zeros(feat.m, bool)
    taken[[feat.pos[x] for x in spec.members]] = True
    taken &= ~fixed
    step = StepData(rows, order, fixed, taken, make_classes(rows))
    opos = np.empty(feat.m, np.int64)
    opos[order] = np.arange(feat.m)
    last = int(opos[taken].max()) if taken.any() else -1
    member = fixed | taken
    need = np.array([p for p in range(last) if not member[order[p]]], np.int64)
    covered = np.full(len(need), -1, np.int64)
    proofs: list[dict[str, Any]] = []
    st = stats or StepStats()
    st.rejections += len(need)
    while (covered < 0).any():
        first = int(np.flatnonzero(covered < 0)[0])
        p = int(need[first])
        inn, free = masks_at(step, p)
        tree = prover(step, inn, free)
        index = len(proofs)
        proofs.append(_proof_json(rows, feat.ids, tree))
        st.splits += _splits(tree)
        covered[first] = index
        if tree[0] == "leaf":
            c, B = leaf_vector(rows, tree[1])
            todo = np.flatnonzero(covered < 0)
            ok = holds_all(step, c, B, need[todo])
            covered[todo[ok]] = index
    st.proofs += len(proofs)
    return {
        "format": FORMAT,
        "meeting": pkg.meeting.id,
        "instance_sha256": pkg.instance_sha256,
        "seed": seed,
        "step": spec.name,
        "fixed": list(spec.fixed),
        "excluded": list(spec.excluded),
        "proofs": proofs,
        "rejections": [[feat.ids[int(order[p])], int(covered[k])] for k, p in enumerate(need)],
    }


def certify_panel(
    package_bytes: bytes,
    panel: dict[str, Any],
    workers: int = 1,
    stats: StepStats | None = None,
    *,
    pkg: Any = None,
    confirm: bool = True,
) -> list[dict[str, Any]]:
    """The certificates of every step of a drawn panel. Every proof is confirmed with exact
    integers as it is found; with `confirm` the whole certificate is then run through the
    solver-free checker too (the file is never written when it would not pass). `pkg`: the
    package already parsed from these bytes (the draw's), to save parsing it again."""
    del workers  # the proofs need no CP-SAT; kept for the API
    pkg = pkg or parse_package(package_bytes)
    certs = [certify_step(pkg, panel["seed"], spec, stats) for spec in panel_steps(panel)]
    if confirm:
        _confirm(package_bytes, panel, certs)
    return certs


def certificate_bytes(certs: list[dict[str, Any]]) -> bytes:
    """Canonical JSON: a single object for one step, else an array (original first)."""
    doc: Any = certs[0] if len(certs) == 1 else certs
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _confirm(package_bytes: bytes, panel: dict[str, Any], certs: list[dict[str, Any]]) -> None:
    from solver.certcheck import check_certificate

    panel_bytes = json.dumps(panel, ensure_ascii=False).encode()
    verdict = check_certificate(package_bytes, panel_bytes, certificate_bytes(certs))
    if not verdict.ok:
        raise RuntimeError(f"抽取证明未能通过核验（内部错误）：{verdict.message}")
