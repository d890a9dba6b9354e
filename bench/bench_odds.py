"""Benchmark of the selection-odds report (prints a markdown table; not a timed test).

    .venv/bin/python -m bench.bench_odds [--draws 20] [--fresh 3] [--lp-runs 3]

Packages from bench/bench_draw.py's generator (2,000 experts, 25 seats, 5 alternates, 300
applicants): default senior rules, and bench_certificate.py's tight rules (正高级 3/5 from a
pool with 20 % 正高级, unit cap 2, unit-kind quotas, voters 4/5). Columns: the median time of
one simulated draw (members + alternates) with the seed-independent space reused, the
baseline of a fresh `draw_package` per seed in the same run, the time of `--draws` draws and
the time of K = 400 extrapolated from the median (stated as such), the LP bounds' times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

from bench.bench_certificate import TIGHT
from bench.bench_draw import make_package
from solver.bestodds import fractional_bound
from solver.draw import draw_package, draw_space
from solver.odds import Tally, draw_seed, run_draws
from solver.package import parse_package


def per_draw_reused(data: bytes, k: int) -> tuple[float, float]:
    pkg = parse_package(data)
    tally = Tally(pkg.instance_sha256, "bench")
    space = draw_space(pkg)
    stamps = [time.perf_counter()]
    run_draws(pkg, tally, k, space=space, on_draw=lambda _i: stamps.append(time.perf_counter()))
    steps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    return float(statistics.median(steps)), stamps[-1] - stamps[0]


def per_draw_fresh(data: bytes, k: int) -> float:
    times = []
    for i in range(k):
        t0 = time.perf_counter()
        pkg = parse_package(data)
        draw_package(pkg, draw_seed("bench", pkg.instance_sha256, i))
        times.append(time.perf_counter() - t0)
    return float(statistics.median(times))


def lp_time(data: bytes, runs: int, maximin: bool) -> tuple[float, float]:
    times, value = [], 0.0
    for _ in range(runs):
        t0 = time.perf_counter()
        bound = fractional_bound(draw_space(parse_package(data)), maximin=maximin)
        times.append(time.perf_counter() - t0)
        value = bound.value if bound else float("nan")
    return float(statistics.median(times)), value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--fresh", type=int, default=3)
    ap.add_argument("--lp-runs", type=int, default=3)
    args = ap.parse_args()
    print(
        f"date {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, nproc {os.cpu_count()}, "
        f"workers 1, {args.draws} simulated draws per row (K=400 column extrapolated)\n"
    )
    print(
        "| case | pool | draw s (space reused, median) | draw s (fresh, baseline) "
        f"| {args.draws} draws s | K=400 s (extrapolated) | LP minimax s (value) "
        "| LP maximin s (value) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, rules, share in (
        ("default senior rules", None, 0.35),
        ("tight: 正高级 3/5 of share 0.2, unit cap 2, kinds, voters 4/5", TIGHT, 0.2),
    ):
        data = make_package(2000, rules=rules, full_share=share)
        med, total = per_draw_reused(data, args.draws)
        fresh = per_draw_fresh(data, args.fresh)
        lp_hi, v_hi = lp_time(data, args.lp_runs, False)
        lp_lo, v_lo = lp_time(data, args.lp_runs, True)
        print(
            f"| {name} | 2,000 | {med:.2f} | {fresh:.2f} | {total:.1f} | {med * 400:.0f} "
            f"| {lp_hi:.2f} ({v_hi:.4f}) | {lp_lo:.2f} ({v_lo:.4f}) |",
            flush=True,
        )


if __name__ == "__main__":
    main()
