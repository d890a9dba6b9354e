"""The reduced oracle (patterns of interchangeable candidates) against brute force, at random
partial states: fixed members F, refused candidates R, and the candidate x asked about."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.draw import draw_space
from solver.package import parse_package
from solver.reduced import ReducedOracle
from solver.rowsystem import PartialState
from solver.verify import complies
from tests.builders import applicant, expert, package


@st.composite
def states(draw):
    n_exp = draw(st.integers(5, 9))
    experts = [
        expert(
            f"E{i}",
            f"U{draw(st.integers(0, 2))}",
            draw(st.sampled_from(["正高级", "副高级"])),
            kind=draw(st.sampled_from(["高校", "企业"])),
            specs=tuple(
                draw(st.lists(st.sampled_from(["建筑工程", "给排水"]), max_size=2, unique=True))
            ),
        )
        for i in range(n_exp)
    ]
    n = draw(st.sampled_from([3, 5]))
    rules = {
        "max_per_unit": draw(st.sampled_from([1, 2, 3])),
        "min_full_senior_share": draw(st.sampled_from(["0/1", "1/3", "3/5"])),
        "specialty_demand": {"给排水": draw(st.integers(0, 2))},
        "min_per_unit_kind": {"企业": draw(st.integers(0, 2))},
        "recuse_same_unit": True,
        "min_voters_share": "2/3",
        "min_specialist_voters": draw(st.integers(0, 1)),
    }
    apps = [applicant("A1", "U0", "建筑工程"), applicant("A2", "U1", "给排水")]
    data = package(experts, panel_size=n, rules=rules, applicants=apps)
    space = draw_space(parse_package(data))
    m = space.feat.m
    pkg = parse_package(data)
    ids = space.feat.ids
    panels = [c for c in combinations(range(m), n) if complies(pkg, [ids[i] for i in c])]
    if not panels:  # F must be part of some compliant panel, as in the draw
        return data, space, [], [], None
    panel = draw(st.sampled_from(panels))
    fixed = sorted(draw(st.sets(st.sampled_from(panel), max_size=n - 1)))
    others = [i for i in range(m) if i not in fixed]
    refused = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
    rest = [i for i in others if i not in refused]
    x = draw(st.sampled_from(rest)) if rest else None
    return data, space, fixed, refused, x


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(states())
def test_reduced_answers_match_brute_force(case):
    check_against_brute_force(case)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(states())
def test_shortcuts_for_large_models_match_brute_force(case):
    """The same, with every model treated as large: the unit-free relaxation runs first."""
    import solver.reduced as reduced

    saved = reduced.LARGE_MODEL
    reduced.LARGE_MODEL = 0
    try:
        check_against_brute_force(case, with_samples=True)
    finally:
        reduced.LARGE_MODEL = saved


def check_against_brute_force(case, with_samples: bool = False) -> None:
    data, space, fixed, refused, x = case
    if x is None:
        return
    pkg = parse_package(data)
    ids = space.feat.ids
    n = space.feat.n
    state = PartialState(space.system, fixed)
    for r in refused:
        state.fix(r, False)
    order = list(range(space.feat.m)) if with_samples else None
    oracle = ReducedOracle(space.system, state, workers=1, order=order)
    got = oracle.ask(x)
    others = [i for i in range(space.feat.m) if i not in fixed and i not in refused and i != x]
    need = n - len(fixed) - 1
    expected = (
        any(
            complies(pkg, [ids[i] for i in (*fixed, x, *combo)])
            for combo in combinations(others, need)
        )
        if need >= 0
        else False
    )
    assert (got is not None) == expected
    if got is not None:  # the witness is a compliant panel holding F ∪ {x} and avoiding R
        assert set(fixed) | {x} <= set(got) and not set(refused) & set(got)
        assert complies(pkg, [ids[i] for i in got])
    # The cheap refusals never refuse a completable candidate. Dominance may lean only on
    # refusals that were proofs when made (with the refusals before them).
    assert not (expected and oracle.known_impossible(x))

    def completable(y: int, avoid: list[int]) -> bool:
        pool = [i for i in range(space.feat.m) if i not in fixed and i not in avoid and i != y]
        return any(
            complies(pkg, [ids[i] for i in (*fixed, y, *combo)])
            for combo in combinations(pool, n - len(fixed) - 1)
        )

    proven = [r for k, r in enumerate(refused) if not completable(r, refused[:k])]
    assert not (expected and oracle.dominated(x, proven))
