"""Season benchmark: the joint plan on the easy synthetic season (bench/season_synth.py), on
the realistic one (bench/season_real.py) with its variants, the adversarial competing-group
variants (bench/season_compete.py) and every season of the regression corpus, beside main's
planner. Run from the repository root:

    .venv/bin/python -m bench.bench_season [--quick] [--only real|easy|compete|corpus] [--runs N]
    .venv/bin/python bench/bench_season.py ...

Every measurement runs in a fresh process: the season file is written once per row by a
generator process, then each run parses and plans it (peak memory is that process's maximum
RSS). Times are medians of `--runs` runs of parse + plan. The baseline is main's planner
before issue 20 (commit 6273b4e, or `--baseline REV`), extracted with `git archive` and run
with the same child (PYTHONPATH = the extracted tree), each run stopped after
`--baseline-cap` seconds (a stopped run is reported as such, never as a time); it is skipped
at 200,000 experts. When this tree's solver/ is the baseline's byte for byte, the baseline column
repeats the same measurements instead of running them twice.

Solver calls by kind are whatever integer or dict counters the plan's `solver` object has.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(ROOT) not in sys.path and not os.environ.get("BENCH_CHILD"):
    sys.path.insert(0, str(ROOT))  # run as a script: import this tree's packages

BASELINE = "6273b4e"
SKIP_BASELINE_AT = 200_000


@dataclass(frozen=True)
class Row:
    generator: str  # "easy", "real" or "corpus" (variant: the corpus entry's name)
    n: int
    variant: str | None = None

    @property
    def label(self) -> str:
        if self.generator == "corpus":
            return f"语料 {self.variant}"
        name = "简单" if self.generator == "easy" else "真实"
        return f"{name} {self.n:,}" + (f" {self.variant}" if self.variant else "")

    def gen_args(self) -> list[str]:
        return [self.generator, str(self.n), self.variant or "-"]


# Targets (issue 20): the realistic feasible season by size, seconds and peak MB; every
# variant and corpus season ≤ 30 s up to 6,000 experts and ≤ 60 s at 20,000.
TARGET_SECONDS = {20000: 3.0, 200000: 15.0}
TARGET_RSS_MB = {200000: 1024.0}
VARIANT_SECONDS = {6000: 30.0, 20000: 60.0}
REAL_VARIANTS = ("tight", "overlap", "cap")


def compete_variants() -> tuple[str, ...]:
    from bench.season_compete import VARIANTS

    return VARIANTS


def corpus_rows() -> list[Row]:
    """Every season of the regression corpus (its generator's arguments are its definition)."""
    from tests.regression.corpus import SEASON_CASES

    return [Row("corpus", n, name) for name, n, _seed, _opts in SEASON_CASES]


def rows(quick: bool, only: str | None, sizes: list[int] | None = None) -> list[Row]:
    sizes = sizes or [6000, 20000] + ([] if quick else [200000])
    varied = [n for n in sizes if n < SKIP_BASELINE_AT][:2]
    out: list[Row] = []
    if only in (None, "easy"):
        out += [Row("easy", n) for n in sizes]
    if only in (None, "real"):
        out += [Row("real", n) for n in sizes]
        out += [Row("real", n, v) for n in varied for v in REAL_VARIANTS]
    if only in (None, "compete"):
        out += [Row("real", n, v) for n in varied for v in compete_variants()]
    if only in (None, "corpus"):
        out += [r for r in corpus_rows() if not (r.variant or "").startswith("compete-")]
    return out


# -- children -----------------------------------------------------------------------------


def child_generate(generator: str, n: int, variant: str | None, path: str) -> None:
    from bench.season_synth import make_season, season_bytes

    if generator == "corpus":
        from tests.regression.corpus import HERE, read_gz

        Path(path).write_bytes(read_gz(HERE / "seasons" / f"{variant}.json.gz"))
        return
    if generator == "easy":
        doc = make_season(n, seed=1)
    else:
        from bench.season_real import make_real_season

        doc = make_real_season(n, seed=1, variant=variant)
    Path(path).write_bytes(season_bytes(doc))


def counters(solver: dict[str, Any]) -> dict[str, Any]:
    """The plan's solver counters: every integer or dict field (not times, not names)."""
    return {
        k: v
        for k, v in solver.items()
        if (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, dict)
    }


def _cpu(usage: Any) -> float:
    """The process's CPU seconds (user + system): on a loaded machine, beside wall time."""
    return float(usage.ru_utime + usage.ru_stime)


def child_plan(path: str) -> dict[str, Any]:
    import resource

    import solver
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    data = Path(path).read_bytes()
    t0 = time.perf_counter()
    season = parse_season(data)
    t1 = time.perf_counter()
    plan = plan_season(season, "bench", 1)
    t2 = time.perf_counter()
    panels = plan["panels"].values()
    return {
        "parse": t1 - t0,
        "plan": t2 - t1,
        "drawn": sum(p["status"] == "drawn" for p in panels),
        "meetings": len(plan["panels"]),
        "pairs": sum(len(m.pkg.experts) for m in season.meetings),
        "failed": sorted(
            {d["rule"] for p in panels if p["status"] != "drawn" for d in p["diagnosis"]}
        ),
        "counters": counters(plan.get("solver", {})),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu": _cpu(resource.getrusage(resource.RUSAGE_SELF)),
        "solver_root": str(Path(solver.__file__).resolve().parent.parent),
    }


# -- the parent ---------------------------------------------------------------------------


@dataclass
class Result:
    runs: list[dict[str, Any]] = field(default_factory=list)
    stopped: bool = False
    skipped: bool = False

    @property
    def seconds(self) -> float | None:
        if self.stopped or not self.runs:
            return None
        return float(statistics.median(r["parse"] + r["plan"] for r in self.runs))

    @property
    def cpu(self) -> str:
        """Median CPU seconds of the runs (whole child process), or blank."""
        got = [r["cpu"] for r in self.runs if "cpu" in r]
        return f"{statistics.median(got):.1f}" if got and not self.stopped else ""


def _run(args: list[str], root: Path, timeout: float | None) -> str | None:
    env = dict(os.environ, PYTHONPATH=str(root), BENCH_CHILD="1")
    try:
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "bench_season.py"), *args],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    return out.stdout.strip().splitlines()[-1]


def measure(season: Path, root: Path, runs: int, cap: float | None) -> Result:
    res = Result()
    for _ in range(runs):
        line = _run(["--child-plan", str(season)], root, cap)
        if line is None:
            res.stopped = True
            return res
        out = json.loads(line)
        if Path(out["solver_root"]) != root.resolve():
            raise SystemExit(f"子进程用了错误的 solver：{out['solver_root']}（应为 {root}）")
        res.runs.append(out)
    return res


def baseline_tree(tmp: Path, rev: str = BASELINE) -> tuple[Path, bool]:
    """The baseline's tree, and whether this tree's solver/ is the same code."""
    tree = tmp / "baseline"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", rev], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    same = (
        subprocess.run(
            ["git", "diff", "--quiet", rev, "--", "solver"], cwd=ROOT, check=False
        ).returncode
        == 0
    )
    return tree, same


def fmt_seconds(res: Result, cap: float | None) -> str:
    if res.skipped:
        return "未测"
    if res.stopped:
        return f"> {cap:.0f} s（已停止）"
    return f"{res.seconds:.1f}"


def fmt_counters(res: Result) -> str:
    if not res.runs:
        return ""
    c = res.runs[0]["counters"]
    return "; ".join(
        f"{k}={json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in sorted(c.items())
    )


def verdict(row: Row, now: Result, feasible: dict[int, float | None]) -> str:
    """达标/未达标 against issue 20's targets (realistic, variant and corpus rows)."""
    if row.generator == "easy":
        return ""
    secs = now.seconds
    if row.generator == "corpus" or row.variant is not None:
        limit = VARIANT_SECONDS[6000 if row.n <= 6000 else 20000]
        return "达标" if secs is not None and secs <= limit else "未达标"
    if row.n not in TARGET_SECONDS:
        return ""
    ok = secs is not None and secs <= TARGET_SECONDS[row.n]
    if row.n in TARGET_RSS_MB and now.runs:
        ok = ok and max(r["rss_mb"] for r in now.runs) < TARGET_RSS_MB[row.n]
    return "达标" if ok else "未达标"


def ratio(row: Row, now: Result, feasible: dict[int, float | None]) -> str:
    base = feasible.get(row.n)
    if row.generator != "real" or row.variant is None or base is None or now.seconds is None:
        return ""
    return f"{now.seconds / base:.2f}"


def print_header(args: argparse.Namespace, same: bool) -> None:
    machine = platform.processor() or platform.machine()
    print(
        f"# 年度联合抽取基准 — {time.strftime('%Y-%m-%d')}, {machine}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, runs={args.runs}, "
        f"baseline runs={args.baseline_runs or args.runs}\n"
    )
    note = "（本树 solver/ 与基线相同，基线列沿用同一测量）" if same else ""
    print(f"基线：main 的规划器 {args.baseline}，每次限时 {args.baseline_cap:.0f} s{note}\n")
    print(
        "| 赛季 | 会议×专家对 | 本树 s（中位数） | 本树 CPU s | 基线 s | 峰值内存 MB | 抽出/会议 "
        "| 未抽出的规则 | 不可行/可行 | 目标 | 求解调用 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")


def row_line(row: Row, now: Result, base: Result, args: argparse.Namespace, fz: Any) -> str:
    first = now.runs[0] if now.runs else (base.runs[0] if base.runs else {})
    pairs = f"{first['pairs']:,}" if first else ""
    rss = f"{max(r['rss_mb'] for r in now.runs):.0f}" if now.runs else ""
    drawn = f"{first['drawn']}/{first['meetings']}" if first else ""
    failed = "、".join(first.get("failed", [])) if first else ""
    return (
        f"| {row.label} | {pairs} | {fmt_seconds(now, args.cap)} | {now.cpu} "
        f"| {fmt_seconds(base, args.baseline_cap)} | {rss} | {drawn} | {failed} "
        f"| {ratio(row, now, fz)} | {verdict(row, now, fz)} | {fmt_counters(now)} |"
    )


def run_row(row: Row, tmp: Path, tree: Path, same: bool, args: argparse.Namespace) -> Any:
    season = tmp / f"{row.generator}-{row.n}-{row.variant or 'base'}.json"
    if _run(["--child-gen", *row.gen_args(), str(season)], ROOT, None) is None:
        raise SystemExit("生成赛季失败")
    now = measure(season, ROOT, args.runs, args.cap)
    if row.n >= SKIP_BASELINE_AT:
        base = Result(skipped=True)
    elif same:
        base = now
    else:
        base = measure(season, tree, args.baseline_runs or args.runs, args.baseline_cap)
    season.unlink()
    return now, base


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child-gen", nargs=4)
    ap.add_argument("--child-plan")
    ap.add_argument("--quick", action="store_true", help="一次运行，不测 200,000")
    ap.add_argument("--only", choices=("real", "easy", "compete", "corpus"))
    ap.add_argument("--baseline", default=BASELINE, help="基线提交（默认 main 的 6273b4e）")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cap", type=float, default=None, help="本树每次运行的时限（秒）")
    ap.add_argument("--baseline-cap", type=float, default=150.0)
    ap.add_argument(
        "--baseline-runs", type=int, default=0, help="基线每行运行次数（默认与 --runs 相同）"
    )
    ap.add_argument("--sizes", help="专家人数，逗号分隔（默认 6000,20000,200000）")
    args = ap.parse_args()
    if args.child_gen:
        gen, n, variant, path = args.child_gen
        child_generate(gen, int(n), None if variant == "-" else variant, path)
        print("{}")
        return
    if args.child_plan:
        print(json.dumps(child_plan(args.child_plan)))
        return
    if args.quick:
        args.runs = 1
    with tempfile.TemporaryDirectory(prefix="bench-season-") as name:
        tmp = Path(name)
        tree, same = baseline_tree(tmp, args.baseline)
        print_header(args, same)
        feasible: dict[int, float | None] = {}
        sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else None
        for row in rows(args.quick, args.only, sizes):
            now, base = run_row(row, tmp, tree, same, args)
            if row.generator == "real" and row.variant is None:
                feasible[row.n] = now.seconds
            print(row_line(row, now, base, args, feasible), flush=True)


if __name__ == "__main__":
    main()
