"""Random tiny instances against brute force over all subsets."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.engine import draw
from solver.package import parse_package
from tests.builders import random_doc, to_bytes
from tests.solver import brute
from tests.solver.checks import assert_independently_valid


@settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from(["a", "seed-2", "七"]))
def test_draw_matches_brute_force(case: int, seed: str) -> None:
    data = to_bytes(random_doc(random.Random(case)))
    pkg = parse_package(data)
    result = draw(data, seed)
    expected = brute.lex_first_panel(pkg, seed)
    if expected is None:
        assert result["status"] == "infeasible"
    else:
        assert result["status"] == "drawn"
        assert result["members"] == expected
        alts, uncovered, _cov = brute.best_alternates(pkg, seed, expected)
        assert result["uncovered"] == uncovered
        assert result["alternates"] == alts
    assert_independently_valid(data, result)
    json.dumps(result, ensure_ascii=False)
