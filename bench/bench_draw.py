"""Benchmark of the panel draw (prints a markdown table; not a timed test).

    .venv/bin/python bench/bench_draw.py [--runs 5]

Rows: one draw (25 seats + 5 alternates, 300 applicants from 150 units) from a committee
pool of 2,000 and of 20,000; diagnosis of infeasible packages; and, side by side on tight
packages, the engine against a rejection-sampling baseline (draw uniformly, reject a
candidate that breaks a rule, restart on a dead end, give up after a bounded number of
restarts). Times are medians over several runs with different seeds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import time
from typing import Any

import numpy as np

from solver.defaults import default_rules
from solver.draw import draw_space
from solver.engine import draw
from solver.package import parse_package
from solver.verify import complies

SPECS = [f"专业{i:02d}" for i in range(20)]
KINDS = ["高校", "企业", "事业单位", "医疗机构", "社会组织", "其他"]


def make_package(
    pool: int, *, seed: int = 1, rules: dict[str, Any] | None = None, full_share: float = 0.35
) -> bytes:
    rng = random.Random(seed)
    n_units = max(150, pool // 12)
    weights = [1 / (i + 1) ** 0.8 for i in range(n_units)]  # a few large units
    units = rng.choices(range(n_units), weights=weights, k=pool)
    experts = []
    for i in range(pool):
        r = rng.random()
        rank = "正高级" if r < full_share else ("副高级" if r < 0.9 else "中级")
        experts.append(
            {
                "id": f"E{i:06d}",
                "name": f"专家{i}",
                "unit": f"U{units[i]:05d}",
                "unit_kind": KINDS[units[i] % len(KINDS)],
                "rank": rank,
                "specialties": rng.sample(SPECS, rng.choice([1, 1, 2, 3])),
                "served": [y for y in (2021, 2022, 2023) if rng.random() < 0.3],
                "available": rng.random() < 0.95,
            }
        )
    app_units = rng.sample(range(n_units), 150)
    applicants = [
        {
            "id": f"A{j:04d}",
            "unit": f"U{rng.choice(app_units):05d}",
            "specialty": rng.choice(SPECS[:12]),
        }
        for j in range(300)
    ]
    conflicts = [
        {
            "expert": f"E{rng.randrange(pool):06d}",
            "applicant": f"A{rng.randrange(300):04d}",
            "reason": "师生",
        }
        for _ in range(300)
    ]
    by_spec: dict[str, int] = {}
    for a in applicants:
        by_spec[a["specialty"]] = by_spec.get(a["specialty"], 0) + 1
    base = default_rules("senior", None, by_spec, narrow=False)
    base.update(rules or {})
    doc = {
        "format": "expertpool.draw/1",
        "meeting": {
            "id": "BENCH",
            "committee": "基准测试评委会",
            "level": "senior",
            "year": 2024,
            "window": ["2024-10-21", "2024-10-31"],
        },
        "rules": base,
        "experts": experts,
        "applicants": applicants,
        "conflicts": conflicts,
    }
    return json.dumps(doc, ensure_ascii=False).encode()


def rejection_sampling(data: bytes, seed: int, max_restarts: int = 200) -> tuple[bool, int]:
    """Baseline: uniform order, skip a candidate that breaks a count rule, restart on dead end."""
    pkg = parse_package(data)
    space = draw_space(pkg)
    system = space.system
    n = system.n
    rng = np.random.default_rng(seed)
    cap = system.caps[0] if system.caps else None
    for attempt in range(max_restarts + 1):
        order = rng.permutation(space.feat.m)
        counts = np.zeros(len(system.lo), dtype=np.int64)
        unit_counts: dict[int, int] = {}
        chosen: list[int] = []
        for x in order:
            new = counts + system.A[x]
            if np.any(new > system.hi):
                continue
            left = n - len(chosen) - 1
            if np.any(new + left < system.lo):
                continue
            if cap is not None and unit_counts.get(int(cap.labels[x]), 0) >= cap.cap:
                continue
            chosen.append(int(x))
            counts = new
            if cap is not None:
                unit_counts[int(cap.labels[x])] = unit_counts.get(int(cap.labels[x]), 0) + 1
            if len(chosen) == n:
                break
        if len(chosen) == n and system.complies(chosen):
            members = [space.feat.ids[i] for i in chosen]
            assert complies(pkg, members)
            return True, attempt
    return False, max_restarts


def timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_engine(data: bytes, runs: int) -> tuple[float, int, str]:
    times, ok = [], 0
    status = ""
    for r in range(runs):
        sec, result = timed(lambda r=r: draw(data, f"bench-{r}"))
        times.append(sec)
        ok += result["status"] == "drawn"
        status = result["status"]
        if status == "infeasible":
            status = "infeasible: " + "；".join(d["rule"] for d in result["diagnosis"])
    return statistics.median(times), ok, status


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--runs-20k", type=int, default=None, help="runs for the 20,000 pool")
    args = ap.parse_args()
    runs = args.runs
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")),
            platform.processor(),
        )
    print(
        f"date {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, nproc {os.cpu_count()}, "
        f"CPU {cpu}, runs {runs} (median), workers 1\n"
    )
    print(
        "| case | pool | engine median s | engine drawn | baseline median s | baseline drawn | note |"
    )
    print("|---|---|---|---|---|---|---|")

    def row(name: str, pool: int, data: bytes, baseline: bool, n_runs: int | None = None) -> None:
        runs_here = n_runs or runs
        med, ok, status = bench_engine(data, runs_here)
        b_med, b_ok = "–", "–"
        if baseline:
            b_times, b_wins, restarts = [], 0, []
            for r in range(runs_here):
                sec, (won, tries) = timed(lambda r=r: rejection_sampling(data, r))
                b_times.append(sec)
                b_wins += won
                restarts.append(tries)
            b_med = f"{statistics.median(b_times):.3f}"
            b_ok = f"{b_wins}/{runs_here} (median restarts {statistics.median(restarts):.0f})"
        print(f"| {name} | {pool:,} | {med:.3f} | {ok}/{runs_here} | {b_med} | {b_ok} | {status} |")

    default_2k = make_package(2000)
    row("default rules, 25 + 5 alternates", 2000, default_2k, True)
    row("default rules, 25 + 5 alternates", 20000, make_package(20000), True, args.runs_20k)
    row(
        "infeasible: 正高级 1/2 from a pool with ~10 正高级 (supply count)",
        2000,
        make_package(2000, full_share=0.005),
        False,
    )
    row(
        "infeasible: 企业 15 + 高校 15 > 25 (assumption core)",
        2000,
        make_package(2000, rules={"min_per_unit_kind": {"企业": 15, "高校": 15}}),
        False,
    )
    tight = {
        "min_full_senior_share": "3/5",
        "max_per_unit": 2,
        "min_per_unit_kind": {"企业": 6, "高校": 6, "医疗机构": 4},
    }
    row(
        "tight: 正高级 3/5 of pool share 0.2, unit cap 2, kind quotas",
        2000,
        make_package(2000, rules=tight, full_share=0.2),
        True,
    )
    tighter = dict(tight, min_full_senior_share="4/5", specialty_demand={s: 2 for s in SPECS[:12]})
    row(
        "tighter: 正高级 4/5, 2 per specialty × 12",
        2000,
        make_package(2000, rules=tighter, full_share=0.25),
        True,
    )


if __name__ == "__main__":
    main()
