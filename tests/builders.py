"""Small helpers that build draw packages (bytes) for the solver tests."""

from __future__ import annotations

import json
import random
from typing import Any

SPECS = ("建筑工程", "给排水", "岩土工程", "暖通")
KINDS = ("高校", "企业", "事业单位")


def expert(
    eid: str,
    unit: str = "U1",
    rank: str = "正高级",
    *,
    kind: str | None = None,
    specs: tuple[str, ...] = (),
    served: tuple[int, ...] = (),
    available: bool = True,
    birth: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": eid,
        "name": f"专家{eid}",
        "unit": unit,
        "rank": rank,
        "specialties": list(specs),
        "served": list(served),
        "available": available,
    }
    if kind is not None:
        out["unit_kind"] = kind
    if birth is not None:
        out["birth_date"] = birth
    return out


def applicant(aid: str, unit: str = "UA", specialty: str = "建筑工程") -> dict[str, Any]:
    return {"id": aid, "unit": unit, "specialty": specialty}


def package_doc(
    experts: list[dict[str, Any]],
    *,
    rules: dict[str, Any] | None = None,
    applicants: list[dict[str, Any]] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    panel_size: int = 3,
    min_rank: str = "中级",
    year: int = 2024,
) -> dict[str, Any]:
    r: dict[str, Any] = {"panel_size": panel_size, "min_rank": min_rank}
    r.update(rules or {})
    return {
        "format": "expertpool.draw/1",
        "meeting": {
            "id": "T-01",
            "committee": "测试评委会",
            "level": "senior",
            "year": year,
            "window": ["2024-10-21", "2024-10-31"],
        },
        "rules": r,
        "experts": experts,
        "applicants": applicants or [],
        "conflicts": conflicts or [],
    }


def to_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def package(experts: list[dict[str, Any]], **kw: Any) -> bytes:
    return to_bytes(package_doc(experts, **kw))


def _add_age_rules(
    rng: random.Random, experts: list[dict[str, Any]], rules: dict[str, Any]
) -> None:
    """Birth dates for everyone (near the 55/60 boundaries on 2024-10-21) and an age rule."""
    for e in experts:
        year = rng.choice([1962, 1964, 1969, 1970, 1975])
        e["birth_date"] = f"{year}-10-{rng.choice([20, 21, 22])}"
    if rng.random() < 0.6:
        rules["max_age"] = rng.choice([55, 60])
    if rng.random() < 0.6:
        rules["min_share_under_age"] = {
            "age": rng.choice([55, 60]),
            "share": rng.choice(["1/3", "2/3"]),
        }


def random_doc(rng: random.Random, max_experts: int = 12) -> dict[str, Any]:
    """A random tiny package (≤ max_experts experts) exercising every rule."""
    m = rng.randint(3, max_experts)
    n = rng.choice([3, 3, 5])
    units = [f"U{i}" for i in range(rng.randint(2, 5))]
    experts = []
    for i in range(m):
        served = tuple(y for y in (2021, 2022, 2023) if rng.random() < 0.4)
        experts.append(
            expert(
                f"E{i:02d}",
                rng.choice(units),
                rng.choice(["中级", "副高级", "正高级", "正高级"]),
                kind=rng.choice([*KINDS, None]),
                specs=tuple(s for s in SPECS[:3] if rng.random() < 0.45),
                served=served,
                available=rng.random() < 0.92,
            )
        )
    apps = [
        applicant(f"A{j}", rng.choice([*units, "UX"]), rng.choice(SPECS[:3]))
        for j in range(rng.randint(0, 3))
    ]
    conflicts = [
        {"expert": rng.choice(experts)["id"], "applicant": a["id"], "reason": "师生"}
        for a in apps
        if rng.random() < 0.5
    ]
    rules: dict[str, Any] = {"alternates": rng.randint(0, 3)}
    if rng.random() < 0.5:
        rules["min_full_senior_share"] = rng.choice(["1/3", "1/2", "2/3"])
    if rng.random() < 0.5:
        rules["max_per_unit"] = rng.randint(1, 3)
    if rng.random() < 0.3:
        rules["min_per_unit_kind"] = {rng.choice(KINDS): rng.randint(1, 2)}
    if rng.random() < 0.4:
        rules["specialty_demand"] = {rng.choice(SPECS[:3]): rng.randint(1, 2)}
    if rng.random() < 0.5:
        rules["recuse_same_unit"] = True
    if rng.random() < 0.5:
        rules["min_voters_share"] = rng.choice(["1/2", "2/3"])
    if rng.random() < 0.4:
        rules["min_specialist_voters"] = 1
    if rng.random() < 0.4:
        rules["max_consecutive_years"] = rng.randint(1, 3)
    if rng.random() < 0.35:
        _add_age_rules(rng, experts, rules)
    return package_doc(
        experts,
        rules=rules,
        applicants=apps,
        conflicts=conflicts,
        panel_size=n,
        min_rank=rng.choice(["中级", "副高级"]),
    )
