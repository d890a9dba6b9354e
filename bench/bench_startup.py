"""Start-up time of the `expertpool` command line, against a baseline revision in the same run
(prints a markdown table; not a timed test).

    .venv/bin/python bench/bench_startup.py [--baseline main] [--runs 10]

The baseline is the tree of `--baseline` (any git revision), unpacked with `git archive` into
a temporary directory; each command runs `--runs` times for the baseline and for this
checkout, alternately, in fresh interpreters (python -m expertpool.cli, the console script's
entry point). Reported: the median wall time of each, and which heavy libraries the command
loaded in this checkout (OR-Tools, SQLAlchemy, pypinyin, openpyxl, Flask), read from
`python -X importtime`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "regression" / "data"
HEAVY = ("ortools", "sqlalchemy", "pypinyin", "openpyxl", "flask")


def unpack(rev: str, into: Path) -> Path:
    """The tree of `rev` as files under `into`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def inputs(folder: Path) -> dict[str, Path]:
    """A corpus package and its drawn panel, and a meeting case (package, panel, record)."""
    sys.path.insert(0, str(ROOT))
    from tests.solver.meeting.builders import Case

    files = {
        "pkg": CORPUS / "packages" / "default-300.json.gz",
        "panel": CORPUS / "results" / "default-300.corpus-a.json.gz",
    }
    out = {name: folder / f"{name}.json" for name in files}
    for name, src in files.items():
        out[name].write_bytes(gzip.decompress(src.read_bytes()))
    case = Case()
    for name, data in zip(("m_pkg", "m_panel", "m_record"), case.files(case.honest()), strict=True):
        out[name] = folder / f"{name}.json"
        out[name].write_bytes(data)
    return out


def commands(f: dict[str, Path]) -> list[tuple[str, list[str]]]:
    return [
        ("expertpool --help", ["--help"]),
        ("expertpool verify --help", ["verify", "--help"]),
        ("expertpool verify 包 结果（300名申报人）", ["verify", str(f["pkg"]), str(f["panel"])]),
        (
            "expertpool verify-meeting 包 结果 记录",
            ["verify-meeting", str(f["m_pkg"]), str(f["m_panel"]), str(f["m_record"])],
        ),
        ("expertpool draw --help", ["draw", "--help"]),
    ]


def run_once(tree: Path, args: list[str], importtime: bool = False) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    flags = ["-X", "importtime"] if importtime else []
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *flags, "-m", "expertpool.cli", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{args} failed in {tree} ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed, proc.stderr


def loaded(tree: Path, args: list[str]) -> str:
    """The heavy top-level packages the command imports (from -X importtime's lines)."""
    _, log = run_once(tree, args, importtime=True)
    names = set()
    for line in log.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return "、".join(h for h in HEAVY if h in names) or "无"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="main", help="git revision to compare with")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = unpack(args.baseline, Path(tmp) / "baseline")
        files = inputs(Path(tmp))
        rows = []
        for label, argv in commands(files):
            run_once(base, argv)  # warm the file cache for both trees
            run_once(ROOT, argv)
            times: dict[str, list[float]] = {"base": [], "now": []}
            for _ in range(args.runs):
                times["base"].append(run_once(base, argv)[0])
                times["now"].append(run_once(ROOT, argv)[0])
            b, n = (statistics.median(times[k]) for k in ("base", "now"))
            rows.append((label, b, n, loaded(base, argv), loaded(ROOT, argv)))
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"命令行启动时间（中位数，{args.runs}次，同一轮交替运行；基线 {args.baseline} = {rev}）"
        f"  {dt.date.today()}  {platform.machine()} {os.cpu_count()}核  "
        f"Python {platform.python_version()}  负载 {os.getloadavg()[0]:.2f}"
    )
    print()
    print("| 命令 | 基线（秒） | 现在（秒） | 倍数 | 基线载入 | 现在载入 |")
    print("|---|---:|---:|---:|---|---|")
    for label, b, n, lb, ln in rows:
        print(f"| `{label}` | {b:.3f} | {n:.3f} | {b / n:.1f}× | {lb} | {ln} |")


if __name__ == "__main__":
    main()
