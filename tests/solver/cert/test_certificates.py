"""Certificates (§6): tiny random packages against brute force, and the whole corpus."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.engine import draw, replace
from solver.package import parse_package
from tests.builders import random_doc, to_bytes
from tests.regression.corpus import HERE
from tests.solver import brute
from tests.solver.cert.helpers import certified, check, corpus, one, panel_bytes

INDEX: dict[str, Any] = json.loads((HERE / "index.json").read_text(encoding="utf-8"))
PACKAGES = {p["name"] for p in INDEX["packages"]}
RESULTS = sorted(
    tag
    for tag in (p.name.removesuffix(".json.gz") for p in (HERE / "results").glob("*.json.gz"))
    if tag.split(".", 1)[0] in PACKAGES
)


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from(["a", "seed-2", "七"]))
def test_tiny_packages_brute_force_panel_is_drawn_and_certified(case: int, seed: str) -> None:
    data = to_bytes(random_doc(random.Random(case)))
    pkg = parse_package(data)
    result = draw(data, seed)
    expected = brute.lex_first_panel(pkg, seed)
    if expected is None:
        assert result["status"] == "infeasible"
        return
    assert result["members"] == expected
    alts, _unc, _cov = brute.best_alternates(pkg, seed, expected)
    assert result["alternates"] == alts
    certs = certified(data, result)
    verdict = check(data, result, one(certs))
    assert verdict.ok, verdict.message
    rejections = certs[0]["rejections"]
    if rejections:  # the checker is not a rubber stamp: one rejection less fails
        certs[0]["rejections"] = rejections[1:]
        assert check(data, result, one(certs)).exit_code == 1
    if alts:  # nor are the alternates: reversed, or one swapped for a later non-member
        bad = dict(result, alternates=alts[::-1] if len(alts) > 1 else [])
        assert check(data, bad, one(certified(data, result))).exit_code == 1


@pytest.mark.parametrize("tag", RESULTS)
def test_every_corpus_result_is_certified(tag: str) -> None:
    name, rest = tag.split(".", 1)
    data, panel = corpus(name, rest)
    if panel["status"] != "drawn":
        pytest.skip("infeasible: no panel to certify")
    certs = certified(data, panel)
    steps = ["original"] + [c["step"] for c in certs[1:]]
    assert [c["step"] for c in certs] == steps
    verdict = check(data, panel, one(certs))
    assert verdict.exit_code == 0, verdict.message


def test_corpus_has_redraw_steps_and_both_seeds() -> None:
    tags = {t.split(".")[1] for t in RESULTS}
    assert {"corpus-a", "20241021-7f3a9c"} <= tags
    multi = 0
    for tag in RESULTS:
        name, rest = tag.split(".", 1)
        _data, panel = corpus(name, rest)
        multi += any(r["how"] == "redraw" for r in panel.get("replacements", []))
    assert multi >= 5


def test_two_decline_calls_each_redraw_step_is_certified_and_a_wrong_excluded_fails() -> None:
    data, panel = corpus("cap-2-500", "corpus-a")
    first = replace(data, panel_bytes(panel), panel["members"][:3])
    first["declines"] = [{"declined": panel["members"][:3], "unavailable": []}]
    later = [m for m in first["members"] if m not in panel["members"][:3]][:7]
    second = replace(data, panel_bytes(first), later, unavailable=["E000001"])
    assert second["status"] == "drawn"
    second["declines"] = [*first["declines"], {"declined": later, "unavailable": ["E000001"]}]
    certs = certified(data, second)
    assert [c["step"] for c in certs][0] == "original"
    assert check(data, second, one(certs)).exit_code == 0
    redraws = [k for k, c in enumerate(certs) if c["step"] != "original"]
    assert redraws, "the case must redraw"
    k = redraws[-1]
    assert certs[k]["step"] == 2
    assert {"E000001", *later, *panel["members"][:3]} <= set(certs[k]["excluded"])
    wrong = json.loads(json.dumps(certs))
    wrong[k]["excluded"] = [e for e in wrong[k]["excluded"] if e != later[0]]
    verdict = check(data, second, wrong)
    assert verdict.exit_code == 1 and "excluded" in verdict.message
    short = json.loads(json.dumps(certs))[:-1]
    assert check(data, second, short if len(short) > 1 else short[0]).exit_code == 1
