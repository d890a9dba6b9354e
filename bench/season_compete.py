"""Adversarial variants of the realistic season (issue 20): meetings that compete for one
small group of experts, where a counting argument decides who can be drawn.

Each variant takes k meetings (`COMPETING`, in different windows unless said otherwise)
and one demand row kind; the experts of that kind eligible at any of the k meetings become
exactly one group of G experts who sit in those k pools only. The k panels together need D
seats of the kind and the group can fill at most C of them (G × the yearly cap 2, or G when
the windows overlap). The `-short` variant has C = D − 1, so the last of the k meetings in
the season's priority order (window start, id) cannot be drawn beside the others; the `-fit`
twin has one expert more (C ≥ D) and every meeting draws.

- `senior`: 2024-S08, S14, S16 (October, November, December) need 13 正高级 each (39), the
  group of 19 正高级 fills 38 — the held-out season of issue 20 at 6,000 experts.
- `specialty`: 2024-S14's window moved onto 2024-S08's; both need 3 experts of S08's first
  specialty, a group of 5 (6 for `-fit`) shared, and `season_overlap` lets each sit once.
- `kind`: the three meetings need 5 企业 members each; their only 企业 experts are 7 (8) of
  one big enterprise (大连港集团, UB21), which `max_per_unit` 5 also caps per panel.
- `age`: the age rules on (`max_age` 65, `min_share_under_age` 55/½): the three need 13
  experts under 55 each, from one group of 19 (20).

Deterministic: everything follows `random.Random` seeded by the season's arguments.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

COMPETING = ("2024-S08", "2024-S14", "2024-S16")
SHAPES = ("senior", "specialty", "kind", "age")
VARIANTS = tuple(f"{s}-{t}" for s in SHAPES for t in ("short", "fit"))
BIG_ENTERPRISE = "UB21"
YOUNG_BIRTH = "1975-03-01"  # 49 on the first day of any 2024 window
OLD_BIRTH = "1962-03-01"  # 62: under max_age 65, not under 55
YOUNG_AFTER = "1969-10-20"  # born later: under 55 on the first day of some window from 21 October

Expert = dict[str, Any]


@dataclass(frozen=True)
class Shape:
    codes: tuple[str, ...]
    group: int  # experts in the short variant's group
    has: Callable[[Expert], bool]  # of the kind
    make: Callable[[Expert], None]  # made of the kind
    unmake: Callable[[Expert], None]  # made not of the kind


def _rank(rank: str) -> Callable[[Expert], None]:
    def set_rank(e: Expert) -> None:
        e["rank"] = rank

    return set_rank


def _born(day: str) -> Callable[[Expert], None]:
    def set_birth(e: Expert) -> None:
        e["birth_date"] = day

    return set_birth


def _enterprise(e: Expert) -> None:
    e["unit"], e["unit_kind"] = BIG_ENTERPRISE, "企业"


def _not_enterprise(e: Expert) -> None:
    e["unit"], e["unit_kind"] = f"UQ{e['id'][1:]}", "事业单位"


def _shape(doc: dict[str, Any], name: str) -> Shape:
    meetings = {m["id"]: m for m in doc["meetings"]}
    if name == "senior":
        return Shape(
            COMPETING, 19, lambda e: e["rank"] == "正高级", _rank("正高级"), _rank("副高级")
        )
    if name == "age":
        return Shape(
            COMPETING,
            19,
            lambda e: e.get("birth_date", "") > YOUNG_AFTER,
            _born(YOUNG_BIRTH),
            _born(OLD_BIRTH),
        )
    if name == "kind":
        for code in COMPETING:
            meetings[code]["rules"]["min_per_unit_kind"] = {"企业": 5}
        return Shape(COMPETING, 7, lambda e: e["unit_kind"] == "企业", _enterprise, _not_enterprise)
    a, b = meetings[COMPETING[0]], meetings[COMPETING[1]]
    b["window"] = list(a["window"])
    spec = a["applicants"][0]["specialty"]
    for m in (a, b):
        demand = m["rules"].setdefault("specialty_demand", {})
        demand[spec] = max(3, demand.get(spec, 0))
        m["rules"]["specialty_demand"] = dict(sorted(demand.items()))

    def add(e: Expert) -> None:
        if spec not in e["specialties"]:
            e["specialties"] = [*e["specialties"], spec]

    def remove(e: Expert) -> None:
        e["specialties"] = [s for s in e["specialties"] if s != spec] or ["其他"]

    return Shape(COMPETING[:2], 5, lambda e: spec in e["specialties"], add, remove)


def _eligible(e: Expert, code: str) -> bool:
    years = set(e["served"].get(code, []))
    barred = all(2024 - d in years for d in (1, 2, 3))
    return bool(e["available"]) and e["rank"] != "中级" and not barred


def make_competing(doc: dict[str, Any], variant: str, seed: int) -> None:
    """Turn a realistic season document into the named variant, in place."""
    name, _, twin = variant.partition("-")
    shape = _shape(doc, name)
    size = shape.group + (1 if twin == "fit" else 0)
    codes = set(shape.codes)
    members = [e for e in doc["experts"] if codes & set(e["pools"])]
    rng = random.Random(f"compete:{seed}:{variant}")
    home = [e for e in members if shape.codes[0] in e["pools"] and e["rank"] != "中级"]
    group = sorted(rng.sample(home, size), key=lambda e: e["id"])
    chosen = {e["id"] for e in group}
    for e in members:
        if e["id"] not in chosen and shape.has(e) and any(_eligible(e, c) for c in codes):
            shape.unmake(e)
    for e in group:
        shape.make(e)
        e["available"] = True
        e["pools"] = list(shape.codes)
        e["served"] = {}  # eligible at each of the k meetings
