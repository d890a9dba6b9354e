"""The regression corpus: packages and seasons with their seeds and results, recorded once.

Results defined by the seed must never change silently. `build` writes every input and the
result today's code gives for it; `tests/regression/test_corpus.py` re-runs them and demands
byte-identical results. Rebuild only when a change of results is intended and announced:

    .venv/bin/python -m tests.regression.corpus

New season entries (appended to SEASON_CASES) are recorded without touching the others:

    .venv/bin/python -m tests.regression.corpus --new-seasons

Timing fields (`solver.seconds` and the like) are the only parts left out of the comparison.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "data"

# (name, pool, generator seed, rule overrides, 正高级 share)
_TIGHT = {
    "min_full_senior_share": "3/5",
    "max_per_unit": 2,
    "min_per_unit_kind": {"企业": 6, "高校": 6, "医疗机构": 4},
}
PACKAGE_CASES: list[tuple[str, int, int, dict[str, Any], float]] = [
    ("default-300", 300, 1, {}, 0.35),
    ("default-400", 400, 2, {}, 0.35),
    ("default-600", 600, 3, {}, 0.35),
    ("default-800", 800, 4, {}, 0.35),
    ("default-1200", 1200, 5, {}, 0.35),
    ("small-alts-300", 300, 6, {"alternates": 3}, 0.35),
    ("no-recuse-400", 400, 7, {"recuse_same_unit": False}, 0.35),
    ("cap-2-500", 500, 8, {"max_per_unit": 2}, 0.35),
    ("kinds-600", 600, 9, {"min_per_unit_kind": {"企业": 5, "高校": 5}}, 0.35),
    ("tight-800", 800, 10, _TIGHT, 0.2),
    ("full-3-5-500", 500, 11, {"min_full_senior_share": "3/5"}, 0.3),
    ("rotation-1-400", 400, 12, {"max_consecutive_years": 1}, 0.35),
    ("specialists-2-600", 600, 13, {"min_specialist_voters": 2}, 0.35),
    ("panel-11-300", 300, 14, {"panel_size": 11, "alternates": 3, "max_per_unit": 3}, 0.35),
    ("panel-15-400", 400, 15, {"panel_size": 15, "alternates": 4, "max_per_unit": 3}, 0.35),
    ("voters-4-5-500", 500, 16, {"min_voters_share": "4/5"}, 0.35),
    ("many-alts-300", 300, 17, {"alternates": 12}, 0.35),
    ("infeasible-senior-300", 300, 18, {}, 0.01),
    ("infeasible-kinds-400", 400, 19, {"min_per_unit_kind": {"企业": 15, "高校": 15}}, 0.35),
    ("infeasible-cap-300", 300, 20, {"max_per_unit": 0}, 0.35),
    ("scarce-200", 200, 21, {"alternates": 8}, 0.5),
    ("tight-spec-900", 900, 22, dict(_TIGHT, specialty_demand={"专业00": 3, "专业01": 3}), 0.3),
]
SEEDS = ("corpus-a", "20241021-7f3a9c")

# (name, experts, generator seed, options for bench.season_synth.make_season, or with
# "generator": "real" for bench.season_real.make_real_season)
REAL_TEN = [
    "2024-S01",
    "2024-S04",
    "2024-S12",
    "2024-S14",
    "2024-S15",
    "2024-S21",
    "2024-S23",
    "2024-M01",
    "2024-M02",
    "2024-M04",
]
SEASON_CASES: list[tuple[str, int, int, dict[str, Any]]] = [
    ("season-2500", 2500, 1, {}),
    ("season-1500-cap1", 1500, 2, {"max_panels": 1}),
    ("season-1800-scarce", 1800, 3, {"full_share": 0.25}),
    ("season-1200-infeasible", 1200, 4, {"full_share": 0.2, "cross": 0.3}),
    ("season-2000-nocap", 2000, 5, {"max_panels": None}),
    # Realistic seasons (bench/season_real.py): ten committees of 2024, the scarce pair
    # 2024-S14 / 2024-M01 among them, recorded with the planner of commit 5362a1a and sized
    # so that it plans each in seconds.
    ("real-1000", 1000, 21, {"generator": "real", "committees": REAL_TEN}),
    (
        "real-1000-tight",
        1000,
        21,
        {"generator": "real", "committees": REAL_TEN, "variant": "tight"},
    ),
    (
        "real-1000-overlap",
        1000,
        21,
        {"generator": "real", "committees": REAL_TEN, "variant": "overlap"},
    ),
    ("real-1000-cap", 1000, 21, {"generator": "real", "committees": REAL_TEN, "variant": "cap"}),
    ("real-900-age", 900, 22, {"generator": "real", "committees": REAL_TEN, "age_rule": True}),
    (
        "real-900-conflicts",
        900,
        23,
        {"generator": "real", "committees": REAL_TEN, "conflict_share": 0.3},
    ),
]
# Adversarial seasons (issue 20, bench/season_compete.py) at 6,000 experts: meetings competing
# for one small group where counting decides; `-short` leaves the last of them one seat
# short (its diagnosis carries the counting proof), `-fit` draws every meeting. The 20,000
# expert ones are in bench/bench_season.py only (up to 25 s each to plan).
COMPETE = ["senior", "specialty", "kind", "age"]
SEASON_CASES += [
    (f"compete-{shape}-{twin}-6000", 6000, 1, {"generator": "real", "variant": f"{shape}-{twin}"})
    for shape in COMPETE
    for twin in ("short", "fit")
]
SEASON_SEED = "season-corpus"


def stable(result: Any) -> Any:
    """The result with its timing fields left out (they are measurements, not results)."""
    if isinstance(result, dict):
        return {k: stable(v) for k, v in result.items() if k not in ("seconds", "solver")}
    if isinstance(result, list):
        return [stable(v) for v in result]
    return result


def canonical(result: Any) -> bytes:
    return json.dumps(stable(result), ensure_ascii=False, sort_keys=True, indent=1).encode()


def write_gz(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the compressed file is a function of its content alone.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)


def read_gz(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def decline_cases(result: dict[str, Any], name: str) -> list[list[str]]:
    """Which members decline in the corpus: first, then first two, then a third of the panel
    (so both alternate steps and redraws are exercised), chosen by a seeded generator."""
    members = list(result["members"])
    if not members:
        return []
    rng = random.Random(name)
    many = rng.sample(members, max(1, len(members) // 3))
    return [members[:1], members[:2], many]


def season_doc(n: int, gen_seed: int, opts: dict[str, Any]) -> dict[str, Any]:
    """The season document of one SEASON_CASES entry, from the generator it names."""
    rest = {k: v for k, v in opts.items() if k != "generator"}
    if opts.get("generator") == "real":
        from bench.season_real import make_real_season

        return make_real_season(n, seed=gen_seed, **rest)
    from bench.season_synth import make_season

    return make_season(n, seed=gen_seed, **rest)


def build_season(name: str, n: int, gen_seed: int, opts: dict[str, Any]) -> dict[str, Any]:
    """Write one season and its plan; its index entry."""
    from bench.season_synth import season_bytes
    from solver.season.plan import plan

    data = season_bytes(season_doc(n, gen_seed, opts))
    write_gz(HERE / "seasons" / f"{name}.json.gz", data)
    result = plan(data, SEASON_SEED, proofs=True)
    write_gz(HERE / "results" / f"{name}.plan.json.gz", canonical(result))
    drawn = sum(1 for p in result["panels"].values() if p["status"] == "drawn")
    print(f"{name}: {drawn}/{len(result['panels'])} drawn", flush=True)
    return {"name": name, "seed": SEASON_SEED, "drawn": drawn, "proofs": True}


def write_index(index: dict[str, Any]) -> None:
    (HERE / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def build_new_seasons() -> None:
    """Record only the SEASON_CASES not in the index yet; every recorded file stays as it is
    (new entries are appended to the index)."""
    index = json.loads((HERE / "index.json").read_text(encoding="utf-8"))
    known = {s["name"] for s in index["seasons"]}
    for name, n, gen_seed, opts in SEASON_CASES:
        if name not in known:
            index["seasons"].append(build_season(name, n, gen_seed, opts))
    write_index(index)


def build() -> None:
    from bench.bench_draw import make_package
    from solver.engine import draw, replace

    index: dict[str, Any] = {"packages": [], "seasons": []}
    for name, pool, gen_seed, rules, share in PACKAGE_CASES:
        data = make_package(pool, seed=gen_seed, rules=rules, full_share=share)
        write_gz(HERE / "packages" / f"{name}.json.gz", data)
        entry: dict[str, Any] = {"name": name, "draws": []}
        for seed in SEEDS:
            result = draw(data, seed)
            tag = f"{name}.{seed}"
            write_gz(HERE / "results" / f"{tag}.json.gz", canonical(result))
            declines = []
            panel_bytes = json.dumps(result, ensure_ascii=False).encode()
            for k, declined in enumerate(decline_cases(result, tag)):
                out = replace(data, panel_bytes, declined)
                write_gz(HERE / "results" / f"{tag}.replace{k}.json.gz", canonical(out))
                declines.append(declined)
            entry["draws"].append({"seed": seed, "status": result["status"], "declines": declines})
            print(f"{tag}: {result['status']}, {len(declines)} declines", flush=True)
        index["packages"].append(entry)
    for name, n, gen_seed, opts in SEASON_CASES:
        index["seasons"].append(build_season(name, n, gen_seed, opts))
    write_index(index)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--new-seasons"]:
        build_new_seasons()
    else:
        build()
