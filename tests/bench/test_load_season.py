"""A realistic season loaded into the app database comes back out of the app's own season
builder with the same pools, service history, availability, applicants and conflicts."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bench.load_season import load_season
from bench.season_real import make_real_season
from expertpool.errors import UserError
from expertpool.services.season import build_season

CODES = ["2024-S14", "2024-M01", "2024-S21", "2024-S04"]


def by_id(experts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in experts}


def test_a_loaded_season_is_what_the_app_builds_back(session: Session) -> None:
    doc = make_real_season(400, seed=5, committees=CODES, variant="overlap", age_rule=True)
    summary = load_season(session, doc)
    assert summary.experts == 400
    back = build_season(session, 2024, max_panels=2)
    mine, theirs = by_id(doc["experts"]), by_id(back["experts"])
    assert set(theirs) == set(mine)
    for eid, e in mine.items():
        t = theirs[eid]
        assert t["pools"] == e["pools"], eid
        assert t["served"] == e["served"], eid
        assert (t["unit_kind"], t["rank"], t["available"]) == (
            e["unit_kind"],
            e["rank"],
            e["available"],
        ), eid
        assert t["birth_date"] == e["birth_date"], eid
    meetings = {m["id"]: m for m in back["meetings"]}
    for m in doc["meetings"]:
        t = meetings[m["id"]]
        assert t["window"] == m["window"]  # the overlap variant's moved window included
        assert len(t["applicants"]) == len(m["applicants"])
        assert Counter(a["specialty"] for a in t["applicants"]) == Counter(
            a["specialty"] for a in m["applicants"]
        )
        assert {(c["expert"], c["reason"]) for c in t["conflicts"]} == {
            (c["expert"], c["reason"]) for c in m["conflicts"]
        }
        for key in ("min_per_unit_kind", "max_age", "min_share_under_age", "specialty_demand"):
            assert t["rules"].get(key) == m["rules"].get(key), (m["id"], key)


def test_a_database_with_experts_is_refused(session: Session) -> None:
    doc = make_real_season(200, seed=1, committees=CODES)
    load_season(session, doc)
    with pytest.raises(UserError, match="已有专家"):
        load_season(session, doc)
