"""Where to recruit: the fewest hypothetical experts per kind, checked by re-solving the LP
with those experts really added to the package."""

from __future__ import annotations

import pytest

from solver.bestodds import fractional_bound
from solver.draw import draw_space
from solver.package import parse_package
from solver.recruit import recruitment
from tests.builders import expert, package


def _pkg(n_water: int) -> bytes:
    experts = [expert(f"G{i}", f"U{i}", specs=("给排水",)) for i in range(n_water)]
    experts += [expert(f"B{i}", f"V{i}", specs=("建筑工程",)) for i in range(12)]
    return package(experts, panel_size=5, rules={"specialty_demand": {"给排水": 2}})


def test_thin_specialty_names_the_specialty_and_the_fewest_recruits() -> None:
    space = draw_space(parse_package(_pkg(2)))
    needs = recruitment(space, 0.5)
    assert needs is not None and len(needs) == 1
    assert needs[0].count == 2 and "给排水" in needs[0].specialties
    # With those two added for real, the bound is at the threshold; with one, above it.
    for extra, ok in ((2, True), (1, False)):
        bound = fractional_bound(draw_space(parse_package(_pkg(2 + extra))))
        assert bound is not None and (bound.value <= 0.5 + 1e-9) == ok


def test_nothing_needed_when_already_under() -> None:
    space = draw_space(parse_package(_pkg(6)))
    assert recruitment(space, 0.5) == []


@pytest.mark.parametrize(("h", "water"), [(0.25, 6), (0.4, 3)])
def test_tighter_threshold_needs_more(h: float, water: int) -> None:
    needs = recruitment(draw_space(parse_package(_pkg(2))), h)
    assert needs is not None
    assert sum(x.count for x in needs if "给排水" in x.specialties) == water
