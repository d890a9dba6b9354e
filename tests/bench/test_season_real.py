"""The realistic season generator: reproducible, shaped like Dalian's season, and its
variants behave as documented when planned."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any

import pytest

from bench.season_real import BIG_SHARE, make_real_season, season_bytes
from expertpool.catalogue.loader import load_catalogue
from solver.season.package import parse_season
from solver.season.plan import plan
from tests.regression.corpus import REAL_TEN

N = 3000
SMALL = REAL_TEN  # the corpus's ten committees


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return make_real_season(N, seed=7)


def pool_of(doc: dict[str, Any], mid: str) -> list[dict[str, Any]]:
    return [e for e in doc["experts"] if mid in e["pools"]]


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    a = season_bytes(make_real_season(800, seed=3, committees=SMALL))
    assert a == season_bytes(make_real_season(800, seed=3, committees=SMALL))
    assert a != season_bytes(make_real_season(800, seed=4, committees=SMALL))
    for variant in ("tight", "cap", "overlap"):
        one = season_bytes(make_real_season(800, seed=3, committees=SMALL, variant=variant))
        assert one == season_bytes(make_real_season(800, seed=3, committees=SMALL, variant=variant))
        assert one != a


def test_the_season_parses_with_every_meeting_of_the_catalogue(doc: dict[str, Any]) -> None:
    season = parse_season(season_bytes(doc))
    assert {m.id for m in season.meetings} == {c.code for c in load_catalogue(2024)}
    assert len(doc["experts"]) == N
    assert doc["max_panels_per_expert"] == 2


def test_specialties_are_skewed_and_fit_the_panel(doc: dict[str, Any]) -> None:
    for m in doc["meetings"]:
        counts = Counter(a["specialty"] for a in m["applicants"])
        seats = m["rules"]["panel_size"]
        assert len(counts) <= int(0.7 * seats)
        assert sum(m["rules"]["specialty_demand"].values()) <= seats
        if len(m["applicants"]) >= 100 and len(counts) >= 5:
            top = sum(n for _, n in counts.most_common(3))
            assert top / len(m["applicants"]) > 0.5, m["id"]  # a few specialties hold most


def test_every_catalogue_specialty_can_have_applicants() -> None:
    seen: set[tuple[str, str]] = set()
    for seed in range(1, 9):
        d = make_real_season(1500, seed=seed)
        seen |= {(m["id"], a["specialty"]) for m in d["meetings"] for a in m["applicants"]}
    every = {(c.code, s) for c in load_catalogue(2024) for s in c.specialties}
    assert len(seen & every) >= 0.9 * len(every)
    assert seen <= every


def test_applicants_scale_with_the_committee(doc: dict[str, Any]) -> None:
    count = {m["id"]: len(m["applicants"]) for m in doc["meetings"]}
    city = {m["id"]: len(m["applicants"]) for m in make_real_season(6000, seed=7)["meetings"]}
    assert city["2024-S15"] >= 300  # 卫生: several hundred
    assert 10 <= city["2024-S21"] <= 60  # 粮食: a few dozen
    assert count["2024-S15"] > 10 * count["2024-S21"]


def test_big_units_hold_5_to_20_percent_and_most_units_are_small(doc: dict[str, Any]) -> None:
    for mid, shares in BIG_SHARE.items():
        pool = pool_of(doc, mid)
        units = Counter(e["unit"] for e in pool)
        for uid, _share in shares:
            assert 0.04 <= units[uid] / len(pool) <= 0.21, (mid, uid)
    sizes = Counter(e["unit"] for e in doc["experts"])
    small = [n for u, n in sizes.items() if not u.startswith("UB")]
    assert len(small) > N / 6
    assert statistics.median(small) <= 3
    assert max(small) <= 20


def test_about_45_percent_of_applicants_come_from_pool_units(doc: dict[str, Any]) -> None:
    inside = total = 0
    for m in doc["meetings"]:
        units = {e["unit"] for e in pool_of(doc, m["id"])}
        inside += sum(a["unit"] in units for a in m["applicants"])
        total += len(m["applicants"])
    assert 0.40 <= inside / total <= 0.50


def test_about_one_expert_in_six_sits_in_two_to_six_pools(doc: dict[str, Any]) -> None:
    pools = Counter(len(e["pools"]) for e in doc["experts"])
    multi = sum(n for k, n in pools.items() if k >= 2) / N
    assert 0.13 <= multi <= 0.20
    assert max(pools) <= 6
    assert pools[6] > 0


def test_history_resits_about_45_percent_over_five_years(doc: dict[str, Any]) -> None:
    resits = []
    for m in doc["meetings"]:
        panel = {
            y: {e["id"] for e in pool_of(doc, m["id"]) if y in e["served"].get(m["id"], [])}
            for y in range(2019, 2024)
        }
        seats = m["rules"]["panel_size"]
        assert all(len(p) == seats for p in panel.values()), m["id"]
        resits += [len(panel[y] & panel[y + 1]) / seats for y in range(2019, 2023)]
    assert 0.40 <= statistics.mean(resits) <= 0.50
    years = {y for e in doc["experts"] for ys in e["served"].values() for y in ys}
    assert years == set(range(2019, 2024))


def test_about_7_percent_unavailable_and_4_percent_conflicts(doc: dict[str, Any]) -> None:
    away = sum(not e["available"] for e in doc["experts"]) / N
    assert 0.055 <= away <= 0.085
    declaring = sum(len({c["applicant"] for c in m["conflicts"]}) for m in doc["meetings"])
    applicants = sum(len(m["applicants"]) for m in doc["meetings"])
    assert 0.03 <= declaring / applicants <= 0.05
    many = make_real_season(N, seed=7, conflict_share=0.25)
    declaring = sum(len({c["applicant"] for c in m["conflicts"]}) for m in many["meetings"])
    assert declaring / applicants > 0.2


def test_engineering_senior_meetings_carry_the_enterprise_quota(doc: dict[str, Any]) -> None:
    series = {c.code: c.series for c in load_catalogue(2024)}
    for m in doc["meetings"]:
        quota = m["rules"]["min_per_unit_kind"]
        if series[m["id"]] == "工程" and m["level"] == "senior":
            assert quota == {"企业": math.ceil(m["rules"]["panel_size"] / 5)}, m["id"]
        else:
            assert quota == {}, m["id"]


def test_the_age_rule_gives_every_expert_a_birth_date() -> None:
    d = make_real_season(800, seed=2, committees=SMALL, age_rule=True)
    assert all("birth_date" in e for e in d["experts"])
    assert all(m["rules"]["max_age"] == 65 for m in d["meetings"])
    parse_season(season_bytes(d))


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="variant"):
        make_real_season(100, variant="wide")


def planned(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Meeting id → the rules its diagnosis names, for the meetings not drawn."""
    result = plan(season_bytes(doc), "variants")
    return {
        mid: [d["rule"] for d in p["diagnosis"]]
        for mid, p in result["panels"].items()
        if p["status"] != "drawn"
    }


def test_the_variants_behave_as_documented() -> None:
    def small(variant: str | None) -> dict[str, Any]:
        return make_real_season(1000, seed=1, committees=SMALL, variant=variant)

    assert planned(small(None)) == {}
    assert planned(small("tight")) == {}
    assert planned(small("cap")) == {"2024-S14": ["max_panels_per_expert"]}
    assert planned(small("overlap")) == {"2024-S14": ["season_overlap"]}
    # The scarce pair alone (cap 2, own windows) draws: the cap or the overlap is the cause.
    pair = small("cap")
    pair["max_panels_per_expert"] = 2
    assert planned(pair) == {}
