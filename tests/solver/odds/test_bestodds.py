"""The LP bound and the column generation against all compliant panels, enumerated."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from ortools.linear_solver import pywraplp

from solver.bestodds import exact_lottery, fractional_bound
from solver.draw import draw_space
from solver.package import Package, parse_package
from solver.verify import complies
from tests.builders import expert, package, random_doc, to_bytes
from tests.solver import brute


def enumerated(pkg: Package, maximin: bool) -> float | None:
    """min max p_e (or max min p_e) over lotteries of ALL compliant panels (brute force)."""
    ids = brute.eligible_ids(pkg)
    panels = [c for c in combinations(ids, pkg.rules.panel_size) if complies(pkg, c)]
    if not panels:
        return None
    lp = pywraplp.Solver.CreateSolver("GLOP")
    t = lp.NumVar(0, 1, "t")
    lam = [lp.NumVar(0, 1, "") for _ in panels]
    lp.Add(sum(lam) == 1)
    for e in ids:
        p = sum(v for v, panel in zip(lam, panels, strict=True) if e in panel)
        lp.Add(p >= t) if maximin else lp.Add(p <= t)
    lp.Maximize(t) if maximin else lp.Minimize(t)
    assert lp.Solve() == pywraplp.Solver.OPTIMAL
    return float(t.solution_value())


def laminar_pool() -> Package:
    """Rank share and unit caps only: the LP's vertices are panels, so bound = exact."""
    experts = [
        expert(f"E{i}", f"U{i % 4}", "正高级" if i in (0, 1, 6) else "副高级") for i in range(9)
    ]
    rules = {"min_full_senior_share": "2/3", "max_per_unit": 1}
    return parse_package(package(experts, panel_size=3, rules=rules))


def test_lp_bound_equals_enumerated_minimax_on_a_laminar_pool() -> None:
    pkg = laminar_pool()
    space = draw_space(pkg)
    bound = fractional_bound(space)
    exact = enumerated(pkg, maximin=False)
    assert bound is not None and exact is not None
    assert bound.value == pytest.approx(exact, abs=1e-6)
    assert bound.value == pytest.approx(2 / 3, abs=1e-6)  # 2 of 3 senior seats, 3 seniors


@pytest.mark.parametrize("case", range(25))
def test_column_generation_is_exact_and_the_lp_bounds_it(case: int) -> None:
    pkg = parse_package(to_bytes(random_doc(random.Random(1000 + case), max_experts=10)))
    space = draw_space(pkg)
    for maximin in (False, True):
        exact = enumerated(pkg, maximin)
        lottery = exact_lottery(space, maximin=maximin)
        bound = fractional_bound(space, maximin=maximin)
        if exact is None:
            assert lottery is None
            continue
        assert lottery is not None and bound is not None
        assert lottery.value == pytest.approx(exact, abs=1e-5)
        assert abs(sum(lottery.weights) - 1) < 1e-6
        assert all(complies(pkg, [space.feat.ids[i] for i in p]) for p in lottery.panels)
        if maximin:
            assert bound.value >= exact - 1e-6  # an upper bound of the maximin
        else:
            assert bound.value <= exact + 1e-6  # a lower bound of the minimax


def test_exactly_as_many_specialists_as_demanded_gives_minimax_one() -> None:
    experts = [expert(f"G{i}", f"U{i}", specs=("给排水",)) for i in range(2)]
    experts += [expert(f"B{i}", f"V{i}", specs=("建筑工程",)) for i in range(12)]
    pkg = parse_package(package(experts, panel_size=5, rules={"specialty_demand": {"给排水": 2}}))
    space = draw_space(pkg)
    bound = fractional_bound(space)
    assert bound is not None and bound.value == pytest.approx(1.0)
    lottery = exact_lottery(space)
    assert lottery is not None and lottery.value == pytest.approx(1.0)
    maximin = exact_lottery(space, maximin=True)
    assert maximin is not None and maximin.value == pytest.approx(3 / 12)


def test_infeasible_lp_is_none() -> None:
    experts = [expert(f"E{i}", "U1", "副高级") for i in range(5)]
    pkg = parse_package(package(experts, panel_size=3, rules={"min_full_senior_share": "1/2"}))
    space = draw_space(pkg)
    assert fractional_bound(space) is None
    assert exact_lottery(space) is None
