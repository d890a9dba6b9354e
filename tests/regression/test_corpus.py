"""Every recorded draw, replacement and season plan is byte-identical to its recorded result."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.season_synth import season_bytes
from solver.engine import draw, replace
from solver.season.plan import plan
from solver.verify import verify_panel
from tests.regression.corpus import HERE, SEASON_CASES, canonical, read_gz, season_doc

INDEX: dict[str, Any] = json.loads((HERE / "index.json").read_text(encoding="utf-8"))
DRAWS = [(p["name"], d) for p in INDEX["packages"] for d in p["draws"]]


def recorded(tag: str) -> bytes:
    return read_gz(HERE / "results" / f"{tag}.json.gz")


def test_corpus_is_large_enough() -> None:
    assert len(INDEX["packages"]) >= 20
    assert len(INDEX["seasons"]) >= 4
    assert {d["status"] for _, d in DRAWS} == {"drawn", "infeasible"}
    assert len(INDEX["seasons"]) == len(SEASON_CASES)
    assert [s["name"] for s in INDEX["seasons"]] == [c[0] for c in SEASON_CASES]


def test_corpus_has_realistic_seasons_feasible_tight_and_infeasible() -> None:
    real = {s["name"]: s["drawn"] for s in INDEX["seasons"] if s["name"].startswith("real-")}
    assert len(real) >= 6
    assert len(INDEX["seasons"]) >= 10
    assert real["real-1000"] == real["real-1000-tight"] == 10
    assert real["real-1000-overlap"] == real["real-1000-cap"] == 9


@pytest.mark.parametrize("case", SEASON_CASES, ids=[c[0] for c in SEASON_CASES])
def test_season_files_are_what_their_generator_gives(case: tuple[str, int, int, Any]) -> None:
    """The generators are part of the benchmark's definition: same arguments, same bytes."""
    name, n, gen_seed, opts = case
    assert season_bytes(season_doc(n, gen_seed, opts)) == read_gz(
        HERE / "seasons" / f"{name}.json.gz"
    )


@pytest.mark.parametrize(("name", "entry"), DRAWS, ids=[f"{n}.{d['seed']}" for n, d in DRAWS])
def test_draw_and_replacements_are_unchanged(name: str, entry: dict[str, Any]) -> None:
    data = read_gz(HERE / "packages" / f"{name}.json.gz")
    tag = f"{name}.{entry['seed']}"
    result = draw(data, entry["seed"])
    assert canonical(result) == recorded(tag)
    panel_bytes = json.dumps(result, ensure_ascii=False).encode()
    if result["status"] == "drawn":
        assert verify_panel(data, panel_bytes).ok
    for k, declined in enumerate(entry["declines"]):
        out = replace(data, panel_bytes, declined)
        assert canonical(out) == recorded(f"{tag}.replace{k}")
        if out["status"] == "drawn":
            assert verify_panel(data, json.dumps(out, ensure_ascii=False).encode()).ok


@pytest.mark.parametrize("entry", INDEX["seasons"], ids=[s["name"] for s in INDEX["seasons"]])
def test_season_plan_is_unchanged(entry: dict[str, Any]) -> None:
    data = read_gz(HERE / "seasons" / f"{entry['name']}.json.gz")
    # Seasons recorded before issue 20 keep the competition diagnosis they were recorded with;
    # later entries carry the counting proofs ("proofs": true in the index).
    result = plan(data, entry["seed"], proofs=entry.get("proofs", False))
    assert canonical(result) == recorded(f"{entry['name']}.plan")
