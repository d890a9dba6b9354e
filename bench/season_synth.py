"""Synthetic seasons for the benchmarks: the 30 committees of 2024 with their real windows and
specialties, and a pool of any size with cross-committee memberships (seeded, reproducible)."""

from __future__ import annotations

import json
import random
from collections import Counter

from expertpool.catalogue.loader import load_catalogue
from solver.defaults import default_rules

KINDS = ("高校", "企业", "事业单位", "医疗机构", "社会组织", "其他")


def make_season(
    n_experts: int,
    *,
    seed: int = 1,
    n_units: int | None = None,
    cross: float = 0.5,
    full_share: float = 0.30,
    max_panels: int | None = 2,
    applicants: tuple[int, int] = (40, 110),
) -> dict:
    rng = random.Random(seed)
    specs = load_catalogue(2024)
    n_units = n_units or max(150, n_experts // 12)
    units = [(f"U{u:06d}", rng.choice(KINDS)) for u in range(n_units)]
    by_spec: dict[str, list[int]] = {}
    for j, c in enumerate(specs):
        for s in c.specialties:
            by_spec.setdefault(s, []).append(j)
    experts = []
    for i in range(n_experts):
        j = rng.randrange(len(specs))
        home = specs[j]
        main = home.specialties[:8]
        mine = sorted(set(rng.sample(main, min(len(main), rng.choice((1, 2, 2, 3))))))
        pools = {j}
        for s in mine:
            for k in by_spec[s]:
                if k != j and rng.random() < cross:
                    pools.add(k)
        unit, kind = units[rng.randrange(n_units)]
        r = rng.random()
        rank = "正高级" if r < full_share else ("副高级" if r < full_share + 0.55 else "中级")
        served = {}
        for k in pools:
            if rng.random() < 0.3:
                served[specs[k].code] = sorted(rng.sample([2021, 2022, 2023], rng.randint(1, 3)))
        experts.append(
            {
                "id": f"E{i:07d}",
                "unit": unit,
                "unit_kind": kind,
                "rank": rank,
                "specialties": mine,
                "pools": sorted(specs[k].code for k in pools),
                "served": served,
                "available": rng.random() > 0.02,
            }
        )
    meetings = []
    for c in specs:
        count = rng.randint(*applicants) if c.level == "senior" else rng.randint(15, 40)
        offered = c.specialties[: min(6, len(c.specialties))]
        apps = [
            {
                "id": f"A{k:04d}",
                "unit": units[rng.randrange(n_units)][0],
                "specialty": rng.choices(offered, [8] + [3] * (len(offered) - 1))[0],
            }
            for k in range(count)
        ]
        rules = default_rules(c.level, None, dict(Counter(a["specialty"] for a in apps)), c.narrow)
        meetings.append(
            {
                "id": c.code,
                "committee": c.name,
                "level": c.level,
                "window": [c.window[0].isoformat(), c.window[1].isoformat()],
                "rules": rules,
                "applicants": apps,
                "conflicts": [],
            }
        )
    pool_of = {m["id"]: [e["id"] for e in experts if m["id"] in e["pools"]] for m in meetings}
    for m in meetings:
        pool = pool_of[m["id"]]
        for _ in range(min(5, len(pool))):
            m["conflicts"].append(
                {
                    "expert": rng.choice(pool),
                    "applicant": rng.choice(m["applicants"])["id"],
                    "reason": "师生",
                }
            )
        m["conflicts"] = [dict(t) for t in {tuple(sorted(c.items())) for c in m["conflicts"]}]
        m["conflicts"].sort(key=lambda c: (c["expert"], c["applicant"]))
    doc = {"format": "expertpool.season/1", "year": 2024, "experts": experts, "meetings": meetings}
    if max_panels is not None:
        doc["max_panels_per_expert"] = max_panels
    return doc


def season_bytes(doc: dict) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
