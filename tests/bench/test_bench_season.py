"""The season benchmark's rows, counters, verdicts and its child on a small season file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.bench_season import (
    ROOT,
    Result,
    Row,
    counters,
    fmt_seconds,
    ratio,
    rows,
    verdict,
)
from bench.season_compete import VARIANTS as COMPETE
from bench.season_real import make_real_season, season_bytes
from tests.regression.corpus import SEASON_CASES


def run(secs: float, rss: float = 100.0) -> dict[str, float]:
    return {"parse": secs / 2, "plan": secs / 2, "rss_mb": rss}


def test_rows_cover_both_generators_and_the_variants() -> None:
    full = rows(quick=False, only=None)
    assert [r.label for r in full if r.variant is None] == [
        "简单 6,000",
        "简单 20,000",
        "简单 200,000",
        "真实 6,000",
        "真实 20,000",
        "真实 200,000",
    ]
    variants = {(r.n, r.variant) for r in full if r.variant and r.generator == "real"}
    kinds = ("tight", "overlap", "cap", *COMPETE)
    assert variants == {(n, v) for n in (6000, 20000) for v in kinds}
    corpus = [r.variant for r in full if r.generator == "corpus"]
    assert corpus == [c[0] for c in SEASON_CASES if not c[0].startswith("compete-")]
    assert all(r.n < 200000 for r in rows(quick=True, only=None))
    assert {r.generator for r in rows(quick=True, only="easy")} == {"easy"}


def test_counters_keep_every_integer_and_dict_field() -> None:
    solver = {
        "engine": "ortools-cp-sat",
        "seconds": 1.5,
        "solver_calls": 7,
        "calls": {"joint": 2, "seat": 5},
        "exact": True,
    }
    assert counters(solver) == {"solver_calls": 7, "calls": {"joint": 2, "seat": 5}}


def test_verdicts_follow_the_targets() -> None:
    fast = Result(runs=[run(2.0), run(2.5), run(9.0)])
    slow = Result(runs=[run(3.5)])
    assert fast.seconds == 2.5
    assert verdict(Row("real", 20000), fast, {}) == "达标"
    assert verdict(Row("real", 20000), slow, {}) == "未达标"
    assert verdict(Row("real", 6000), fast, {}) == ""  # no target of its own
    assert verdict(Row("easy", 20000), fast, {}) == ""
    assert verdict(Row("real", 200000), Result(runs=[run(14.0, rss=1100.0)]), {}) == "未达标"
    assert verdict(Row("real", 200000), Result(runs=[run(14.0, rss=900.0)]), {}) == "达标"
    assert verdict(Row("real", 200000), Result(runs=[run(16.0, rss=900.0)]), {}) == "未达标"
    feasible: dict[int, float | None] = {6000: 4.0}
    assert verdict(Row("real", 6000, "senior-short"), Result(runs=[run(30.0)]), feasible) == "达标"
    assert verdict(Row("real", 6000, "cap"), Result(runs=[run(30.1)]), feasible) == "未达标"
    assert verdict(Row("real", 20000, "age-fit"), Result(runs=[run(59.0)]), feasible) == "达标"
    assert verdict(Row("corpus", 2500, "season-2500"), Result(runs=[run(31.0)]), {}) == "未达标"
    assert ratio(Row("real", 6000, "overlap"), Result(runs=[run(6.0)]), feasible) == "1.50"
    stopped = Result(stopped=True)
    assert verdict(Row("real", 6000, "overlap"), stopped, feasible) == "未达标"
    assert fmt_seconds(stopped, 150.0) == "> 150 s（已停止）"


def test_the_child_plans_a_season_file_with_the_solver_of_its_tree(tmp_path: Path) -> None:
    path = tmp_path / "season.json"
    doc = make_real_season(500, seed=1, committees=["2024-S21", "2024-M01", "2024-S14"])
    path.write_bytes(season_bytes(doc))
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_season.py"), "--child-plan", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT), BENCH_CHILD="1"),
        cwd=tmp_path,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["meetings"] == 3
    assert result["pairs"] == sum(len(e["pools"]) for e in doc["experts"])
    assert Path(result["solver_root"]) == ROOT
    assert "solver_calls" in result["counters"]
