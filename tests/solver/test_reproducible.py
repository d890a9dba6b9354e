"""Same package bytes and seed → same result, whatever the workers or the process."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from expertpool.cli import main
from solver.engine import draw
from tests.builders import applicant, expert, package
from tests.solver.checks import assert_independently_valid

KEYS = ("members", "alternates", "uncovered", "recusals", "status")


def medium_package() -> bytes:
    rng = random.Random(7)
    specs = ("建筑工程", "给排水", "岩土工程", "暖通", "电气")
    experts = [
        expert(
            f"E{i:04d}",
            f"U{rng.randrange(30)}",
            rng.choice(["副高级", "正高级", "正高级", "中级"]),
            kind=rng.choice(["高校", "企业", "事业单位"]),
            specs=tuple(rng.sample(specs, rng.randint(1, 2))),
            served=tuple(y for y in (2021, 2022, 2023) if rng.random() < 0.5),
        )
        for i in range(300)
    ]
    apps = [applicant(f"A{j:03d}", f"U{rng.randrange(40)}", rng.choice(specs)) for j in range(60)]
    rules = {
        "alternates": 5,
        "min_full_senior_share": "1/2",
        "max_per_unit": 3,
        "min_per_unit_kind": {"企业": 3},
        "specialty_demand": {s: 2 for s in specs},
        "recuse_same_unit": True,
        "min_voters_share": "2/3",
        "min_specialist_voters": 1,
        "max_consecutive_years": 3,
    }
    return package(experts, rules=rules, applicants=apps, panel_size=15, min_rank="副高级")


def test_same_seed_any_workers() -> None:
    data = medium_package()
    one = draw(data, "repro", workers=1)
    two = draw(data, "repro", workers=2)
    assert one["status"] == "drawn"
    assert {k: one[k] for k in KEYS} == {k: two[k] for k in KEYS}
    assert_independently_valid(data, one)


def test_different_seeds_differ() -> None:
    data = medium_package()
    panels = {tuple(draw(data, f"seed-{i}")["members"]) for i in range(4)}
    assert len(panels) == 4


def test_across_processes(tmp_path: Path) -> None:
    data = medium_package()
    pkg = tmp_path / "pkg.json"
    pkg.write_bytes(data)
    outs = []
    for i, workers in enumerate(("1", "2")):
        out = tmp_path / f"panel{i}.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "expertpool.cli",
                "draw",
                str(pkg),
                "--seed",
                "跨进程",
                "-o",
                str(out),
                "--workers",
                workers,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(json.loads(out.read_text(encoding="utf-8")))
    assert {k: outs[0][k] for k in KEYS} == {k: outs[1][k] for k in KEYS}
    here = draw(data, "跨进程")
    assert {k: here[k] for k in KEYS} == {k: outs[0][k] for k in KEYS}
    assert main(["verify", str(pkg), str(tmp_path / "panel0.json")]) == 0
    assert_independently_valid(data, outs[0])
