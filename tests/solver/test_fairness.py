"""Fairness: interchangeable experts are drawn equally often; every feasible expert can sit."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

import pytest

from solver.engine import draw
from tests.builders import expert, package
from tests.solver.checks import assert_independently_valid


def _gamma_q(a: float, x: float) -> float:
    """Regularized upper incomplete gamma Q(a, x) (series / continued fraction)."""
    if x <= 0:
        return 1.0
    log_pre = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(10_000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_pre))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(log_pre) * h


def chi_square_p(observed: list[int], expected: float) -> float:
    stat = sum((o - expected) ** 2 / expected for o in observed)
    return _gamma_q((len(observed) - 1) / 2, stat / 2)


def test_gamma_q_known_values() -> None:
    assert abs(_gamma_q(1, 2.0) - math.exp(-2.0)) < 1e-12  # df = 2: p = e^(-x/2)
    assert abs(chi_square_p([50, 50], 50) - 1.0) < 1e-12
    assert abs(_gamma_q(9.5, 30.1435 / 2) - 0.05) < 1e-4  # chi2(19) 95% quantile


@pytest.mark.slow
def test_interchangeable_experts_uniform() -> None:
    experts = [expert(f"E{i}", f"U{i}", "正高级") for i in range(6)]
    data = package(experts, panel_size=3, rules={"alternates": 1})
    seeds = 1200
    counts: Counter[tuple[str, ...]] = Counter()
    for s in range(seeds):
        result = draw(data, f"fair-{s}")
        counts[tuple(result["members"])] += 1
        if s % 200 == 0:
            assert_independently_valid(data, result)
    panels = list(combinations([e["id"] for e in experts], 3))
    observed = [counts[p] for p in panels]
    assert sum(observed) == seeds
    p = chi_square_p(observed, seeds / len(panels))
    assert p > 0.001, (p, observed)


@pytest.mark.slow
def test_constrained_classes_fair_and_everyone_possible() -> None:
    # 3 full seniors and 5 associate seniors, at least 2 full seniors among 3: each expert
    # of a class is interchangeable with the others of that class.
    experts = [expert(f"F{i}", f"U{i}", "正高级") for i in range(3)]
    experts += [expert(f"V{i}", f"W{i}", "副高级") for i in range(5)]
    data = package(experts, panel_size=3, rules={"min_full_senior_share": "2/3"})
    seeds = 1000
    per_expert: Counter[str] = Counter()
    for s in range(seeds):
        result = draw(data, f"class-{s}")
        per_expert.update(result["members"])
    assert all(per_expert[e["id"]] > 0 for e in experts)
    # Which associate senior sits (at most one does): multinomial over the 5, uniform.
    assoc = [per_expert[f"V{i}"] for i in range(5)]
    assert chi_square_p(assoc, sum(assoc) / 5) > 0.001, assoc
    assert_independently_valid(data, result)
