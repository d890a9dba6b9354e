"""Benchmark of the draw certificates (§6; prints a markdown table; not a timed test).

    .venv/bin/python -m bench.bench_certificate [--runs 3] [--runs-20k 1]

For each package (bench/bench_draw.py's generator: 25 seats, 5 alternates, 150 applicants)
and several seeds: the draw alone (engine, as `expertpool draw`), the draw with its
certificate (as `expertpool draw --certificate`: draw, proofs, and the checker's own
confirmation before the file is written), the solver-free check alone (as
`python -m solver.certcheck`), the certificate's size, rejections, distinct proofs and
splits. Times are medians over the seeds; the baseline (draw alone) is measured in the
same run on the same packages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from typing import Any

from bench.bench_draw import make_package
from solver.certcheck import check_certificate
from solver.certify import StepStats, certificate_bytes, certify_panel
from solver.draw import draw_package
from solver.package import parse_package

TIGHT = {
    "min_full_senior_share": "3/5",
    "max_per_unit": 2,
    "min_per_unit_kind": {"企业": 6, "高校": 6, "医疗机构": 4},
    "min_voters_share": "4/5",
}


def one_run(data: bytes, seed: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    pkg = parse_package(data)
    result = draw_package(pkg, seed)
    t1 = time.perf_counter()
    stats = StepStats()
    certs = certify_panel(data, result, stats=stats, pkg=pkg)
    blob = certificate_bytes(certs)
    t2 = time.perf_counter()
    verdict = check_certificate(data, json.dumps(result, ensure_ascii=False).encode(), blob)
    t3 = time.perf_counter()
    assert verdict.ok, verdict.message
    return {
        "draw": t1 - t0,
        "with": t2 - t0,
        "check": t3 - t2,
        "bytes": len(blob),
        "rejections": stats.rejections,
        "proofs": stats.proofs,
        "splits": stats.splits,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-20k", type=int, default=None)
    args = ap.parse_args()
    print(
        f"date {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, nproc {os.cpu_count()}, "
        f"runs = seeds per row (median; max for size), workers 1\n"
    )
    print(
        "| case | pool | draw s | draw + certificate s | ratio | check s | size KB (max) "
        "| rejections | distinct proofs | splits |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    cases = [
        ("default rules", 2000, {}, 0.35, args.runs),
        (
            "tight: 正高级 3/5 of share 0.2, unit cap 2, kinds, voters 4/5",
            2000,
            TIGHT,
            0.2,
            args.runs,
        ),
        ("default rules", 20000, {}, 0.35, args.runs_20k or args.runs),
        (
            "tight: 正高级 3/5 of share 0.2, unit cap 2, kinds, voters 4/5",
            20000,
            TIGHT,
            0.2,
            args.runs_20k or args.runs,
        ),
    ]
    for name, pool, rules, share, runs in cases:
        data = make_package(pool, rules=rules or None, full_share=share)
        rows = [one_run(data, f"bench-{k}") for k in range(runs)]

        def med(key: str, rows: list[dict[str, Any]] = rows) -> float:
            return float(statistics.median(r[key] for r in rows))

        print(
            f"| {name} | {pool:,} | {med('draw'):.2f} | {med('with'):.2f} | "
            f"{med('with') / med('draw'):.2f} | {med('check'):.2f} | "
            f"{max(r['bytes'] for r in rows) / 1024:.0f} | {med('rejections'):.0f} | "
            f"{med('proofs'):.0f} | {med('splits'):.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
