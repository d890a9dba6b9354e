"""The joint plan beside drawing the meetings one after another, on the easy synthetic season
(the comparison table of README's season section; the timings at scale are
bench/bench_season.py). Prints a markdown table; run from the repository root:

    .venv/bin/python -m bench.season_vs_sequential [--quick]

Each measurement runs in a fresh process (peak memory is that process's maximum RSS).
Times are medians; the machine is shared and noisy, so the sequential baseline is timed in
the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def _child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.season_vs_sequential", "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=os.getcwd(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(n: int, share: float, cross: float, seed: int, mode: str) -> dict:
    import resource

    from bench.season_synth import make_season, season_bytes
    from bench.sequential import double_booked, draw_sequentially
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    data = season_bytes(make_season(n, full_share=share, cross=cross, seed=seed))
    t0 = time.perf_counter()
    season = parse_season(data)
    t1 = time.perf_counter()
    out: dict = {"parse": t1 - t0, "pairs": sum(len(m.pkg.experts) for m in season.meetings)}
    if mode == "joint":
        plan = plan_season(season, "bench", 1)
        out["plan"] = time.perf_counter() - t1
        out["drawn"] = sorted(k for k, p in plan["panels"].items() if p["status"] == "drawn")
    elif mode == "sequential":
        panels = draw_sequentially(season, "bench")
        out["plan"] = time.perf_counter() - t1
        out["drawn"] = sorted(k for k, p in panels.items() if p["status"] == "drawn")
    else:
        panels = draw_sequentially(season, "bench", aware=False)
        out["plan"] = time.perf_counter() - t1
        out["double"] = sorted(double_booked(season, panels))
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", nargs=5)
    ap.add_argument("--quick", action="store_true", help="one run each")
    args = ap.parse_args()
    if args.child:
        n, share, cross, seed, mode = args.child
        print(json.dumps(child(int(n), float(share), float(cross), int(seed), mode)))
        return
    runs = 1 if args.quick else 3
    print(
        f"# Season benchmark — {time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print(
        "\n## Joint plan beside drawing one meeting after another (catalogue order, same rules)\n"
    )
    print(
        "| pool | 正高级 share | joint: drawn, s | sequential (booked experts taken out): drawn, "
        "of joint's not drawn, s | independent draws: meetings double-booked (of joint's) |"
    )
    print("|---|---|---|---|---|")
    for n, share, cross in [
        (20000, 0.30, 0.5),
        (2500, 0.30, 0.8),
        (1800, 0.30, 0.9),
        (1500, 0.25, 0.9),
    ]:
        joint = [_child([str(n), str(share), str(cross), "3", "joint"]) for _ in range(runs)]
        seq = [_child([str(n), str(share), str(cross), "3", "sequential"]) for _ in range(runs)]
        naive = _child([str(n), str(share), str(cross), "3", "naive"])
        jd = set(joint[0]["drawn"])
        sd = set(seq[0]["drawn"])
        print(
            f"| {n:,} | {share:.0%} | {len(jd)}/30, {statistics.median(x['plan'] for x in joint):.1f} "
            f"| {len(sd)}/30, {len(jd - sd)}, {statistics.median(x['plan'] for x in seq):.1f} "
            f"| {len(set(naive['double']) & jd)} |"
        )


if __name__ == "__main__":
    main()
