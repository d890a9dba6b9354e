"""The adversarial variants (bench/season_compete.py) have the shape they claim: the experts
of the contested kind eligible at the competing meetings are one group of the stated size who
sit in those pools only, and the meetings' demand exceeds what the group can fill by one seat
(`-short`) or not (`-fit`)."""

from __future__ import annotations

import pytest

from bench.season_compete import COMPETING, SHAPES
from bench.season_real import make_real_season, season_bytes
from solver.season.package import parse_season
from solver.season.verify_proof import SeasonRows

# shape → (meetings, the row kind, group of the short variant, seats each expert may fill)
EXPECTED = {
    "senior": (COMPETING, ["min_full_senior_share"], 19, 2),
    "age": (COMPETING, ["min_share_under_age"], 19, 2),
    "kind": (COMPETING, ["min_per_unit_kind", "企业"], 7, 2),
    "specialty": (COMPETING[:2], None, 5, 1),
}


@pytest.mark.parametrize("twin", ["short", "fit"])
@pytest.mark.parametrize("shape", SHAPES)
def test_the_group_and_the_count(shape: str, twin: str) -> None:
    doc = make_real_season(6000, seed=1, variant=f"{shape}-{twin}")
    assert season_bytes(doc) == season_bytes(
        make_real_season(6000, seed=1, variant=f"{shape}-{twin}")
    )
    codes, kind, size, seats = EXPECTED[shape]
    rows = SeasonRows(parse_season(season_bytes(doc)))
    if kind is None:  # the specialty of the first meeting's first applicant
        first = next(m for m in doc["meetings"] if m["id"] == codes[0])
        kind = ["specialty_demand", first["applicants"][0]["specialty"]]
        assert rows.by_id[codes[0]].overlaps(rows.by_id[codes[1]])
    group: set[str] = set()
    need = 0
    for mid in codes:
        row = rows.row([mid, *kind])
        assert row is not None
        group |= {e for _m, e in row[0]}
        need += row[2]
    assert len(group) == size + (twin == "fit")
    pools = {e["id"]: e["pools"] for e in doc["experts"]}
    assert all(pools[e] == list(codes) for e in group)
    assert len(group) * seats == need - 1 if twin == "short" else len(group) * seats >= need
