"""The season engine: season rules alone, projections, brute force on tiny seasons, replay."""

from __future__ import annotations

import json
from itertools import combinations, product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.errors import PackageError
from solver.registry import ineligibility_reason
from solver.season.package import parse_season
from solver.season.plan import plan, plan_season, seat_key
from solver.season.verify import season_checks, verify_plan
from solver.verify import complies
from tests.builders import NOV, OCT, ex, mt, season_doc, three_meeting_season


def checked_plan(data: bytes, seed: str = "s", workers: int = 1) -> dict:
    """Every season test ends here: the independent checks must agree with the plan."""
    result = plan(data, seed, workers)
    report = verify_plan(data, json.dumps(result, ensure_ascii=False).encode())
    assert report.drawn_ok, report.text()
    failed = [mid for mid, p in result["panels"].items() if p["status"] == "infeasible"]
    assert report.ok == (not failed) and sorted(report.infeasible) == sorted(failed)
    return result


def test_overlap_alone_keeps_panels_disjoint():
    experts = [ex(f"E{i}", ["A", "B"]) for i in range(6)]
    result = checked_plan(season_doc(experts, [mt("A", OCT), mt("B", OCT)]))
    a, b = result["panels"]["A"], result["panels"]["B"]
    assert a["status"] == b["status"] == "drawn"
    assert not set(a["members"]) & set(b["members"])


def test_overlap_makes_the_later_meeting_infeasible_with_the_rival_named():
    experts = [ex(f"E{i}", ["A", "B"]) for i in range(5)]
    result = checked_plan(
        season_doc(experts, [mt("A", OCT), mt("B", ["2024-10-25", "2024-11-02"])])
    )
    assert result["panels"]["A"]["status"] == "drawn"
    b = result["panels"]["B"]
    assert b["status"] == "infeasible" and b["members"] == []
    (entry,) = b["diagnosis"]
    assert entry["rule"] == "season_overlap" and entry["meetings"] == ["A"]
    assert "单独可以抽取" in entry["message"] and entry["contested"] == 5


def test_no_overlap_lets_the_same_experts_sit_twice():
    experts = [ex(f"E{i}", ["A", "B"]) for i in range(3)]
    result = checked_plan(season_doc(experts, [mt("A", OCT), mt("B", NOV)]))
    assert (
        result["panels"]["A"]["members"] == result["panels"]["B"]["members"] == ["E0", "E1", "E2"]
    )


def test_max_panels_alone():
    experts = [ex(f"E{i}", ["A", "B"]) for i in range(3)]
    result = checked_plan(season_doc(experts, [mt("A", OCT), mt("B", NOV)], max_panels=1))
    assert result["panels"]["A"]["status"] == "drawn"
    (entry,) = result["panels"]["B"]["diagnosis"]
    assert entry["rule"] == "max_panels_per_expert" and entry["meetings"] == ["A"]


def test_meeting_infeasible_on_its_own_gets_its_own_diagnosis():
    experts = [ex(f"E{i}", ["A", "B"]) for i in range(4)] + [ex("P", ["B"], rank="正高级")]
    meetings = [mt("A", OCT), mt("B", NOV, min_full_senior_share="2/3")]
    result = checked_plan(season_doc(experts, meetings))
    b = result["panels"]["B"]
    assert b["status"] == "infeasible"
    assert [d["rule"] for d in b["diagnosis"]] == ["min_full_senior_share"]


def test_projection_takes_served_per_meeting_and_pool_conflicts_only():
    experts = [
        ex("E0", ["A"], served={"A": [2021, 2022, 2023], "B": [2023]}),
        ex("E1", ["A", "B"]),
        ex("E2", ["B"]),
    ]
    m_a = mt("A", OCT, n=3, max_consecutive_years=3)
    m_a["applicants"] = [{"id": "X", "unit": "U9", "specialty": "机械"}]
    m_a["conflicts"] = [
        {"expert": "E2", "applicant": "X", "reason": "师生"},
        {"expert": "E1", "applicant": "X", "reason": "师生"},
    ]
    season = parse_season(season_doc(experts, [m_a, mt("B", NOV)]))
    proj = json.loads(season.by_id()["A"].projection)
    assert [e["id"] for e in proj["experts"]] == ["E0", "E1"]
    assert proj["experts"][0]["served"] == [2021, 2022, 2023]
    assert proj["conflicts"] == [{"expert": "E1", "applicant": "X", "reason": "师生"}]


def test_reproducible_and_seed_dependent():
    data = three_meeting_season()
    first = checked_plan(data, "seed-1", workers=1)
    again = checked_plan(data, "seed-1", workers=2)
    other = checked_plan(data, "seed-2")

    def strip(r: dict) -> dict:
        return {k: (p["members"], p["alternates"], p["uncovered"]) for k, p in r["panels"].items()}

    assert strip(first) == strip(again)
    assert strip(first) != strip(other)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format="x"), "format"),
        (lambda d: d["experts"][0]["pools"].append("Z"), "experts[0].pools[2]"),
        (lambda d: d["experts"][1].update(rank="教授"), "experts[1].rank"),
        (lambda d: d["experts"].append(dict(d["experts"][0])), "experts[6].id"),
        (lambda d: d.update(max_panels_per_expert=0), "max_panels_per_expert"),
        (lambda d: d["meetings"][1]["rules"].update(panel_size=4), "meetings[1].rules.panel_size"),
        (
            lambda d: d["meetings"][0].update(window=["2024-10-31", "2024-10-01"]),
            "meetings[0].window",
        ),
        (
            lambda d: d["meetings"][0]["conflicts"].append({"expert": "NOPE", "applicant": "X"}),
            "meetings[0].conflicts[0].expert",
        ),
        (lambda d: d["experts"][0]["served"].update({"Q": [2023]}), "experts[0].served.Q"),
        (lambda d: d["experts"][0].update(pools=[["A"]]), "experts[0].pools[0]"),
        (
            lambda d: d["meetings"][0]["conflicts"].append({"expert": ["E1"], "applicant": "X"}),
            "meetings[0].conflicts[0].expert",
        ),
        (
            # E5 is outside B's pool, so the projection would drop this conflict unseen.
            lambda d: (
                d["experts"][5].update(pools=["A"]),
                d["meetings"][1]["conflicts"].append({"expert": "E5", "applicant": "NOPE"}),
            ),
            "meetings[1].conflicts[0].applicant",
        ),
    ],
)
def test_bad_season_input_names_the_field(mutate, field):
    doc = json.loads(
        season_doc([ex(f"E{i}", ["A", "B"]) for i in range(6)], [mt("A", OCT), mt("B", NOV)])
    )
    mutate(doc)
    with pytest.raises(PackageError) as info:
        parse_season(json.dumps(doc, ensure_ascii=False).encode())
    assert info.value.field == field, info.value.message
    assert info.value.message.startswith(field)


def test_season_checks_catch_double_booking():
    season = parse_season(
        season_doc(
            [ex(f"E{i}", ["A", "B"]) for i in range(3)], [mt("A", OCT), mt("B", OCT)], max_panels=1
        )
    )
    items = season_checks(season, {"A": ["E0", "E1", "E2"], "B": ["E0", "E1", "E2"]})
    assert [i["ok"] for i in items] == [False, False]
    assert "E0（A与B）" in items[0]["message"]


# -- brute force on tiny seasons ------------------------------------------------------------


def brute_plan(data: bytes, seed: str) -> dict[str, list[str] | None]:
    season = parse_season(data)
    ms = season.meetings
    options = []
    for m in ms:
        elig = [e.id for e in m.pkg.experts if ineligibility_reason(m.pkg, e) is None]
        options.append(
            [set(c) for c in combinations(elig, m.pkg.rules.panel_size) if complies(m.pkg, c)]
        )

    def ok_season(assign: dict[int, set[str]]) -> bool:
        members = {ms[j].id: sorted(s) for j, s in assign.items()}
        return all(i["ok"] for i in season_checks(season, members))

    def feasible(js: list[int]) -> list[dict[int, set[str]]]:
        return [
            dict(zip(js, combo, strict=True))
            for combo in product(*(options[j] for j in js))
            if ok_season(dict(zip(js, combo, strict=True)))
        ]

    alone = [j for j in range(len(ms)) if options[j]]
    if feasible(alone) or not alone:
        drawn = alone
    else:
        drawn = []
        for j in alone:
            if feasible([*drawn, j]):
                drawn.append(j)
    keys = {
        (j, e): seat_key(seed, season.sha256, ms[j].id, e)
        for j in drawn
        for e in {x for opt in options[j] for x in opt}
    }
    best = min(feasible(drawn), key=lambda a: sorted(keys[j, e] for j, s in a.items() for e in s))
    return {m.id: (sorted(best[j]) if j in best else None) for j, m in enumerate(ms)}


@st.composite
def tiny_seasons(draw):
    n_meet = draw(st.integers(2, 3))
    windows = [OCT, NOV, ["2024-10-28", "2024-11-05"]]
    meetings = [
        mt(
            chr(65 + j),
            windows[draw(st.integers(0, 2))],
            n=3,
            min_full_senior_share=draw(st.sampled_from(["0/1", "1/3", "2/3"])),
            max_per_unit=draw(st.sampled_from([1, 2, 3])),
        )
        for j in range(n_meet)
    ]
    experts = []
    for i in range(draw(st.integers(3, 7))):
        pools = draw(
            st.lists(
                st.sampled_from([m["id"] for m in meetings]),
                min_size=1,
                max_size=n_meet,
                unique=True,
            )
        )
        experts.append(
            ex(
                f"E{i}",
                sorted(pools),
                rank=draw(st.sampled_from(["正高级", "副高级"])),
                unit=f"U{draw(st.integers(0, 2))}",
            )
        )
    max_panels = draw(st.sampled_from([None, 1, 2]))
    return season_doc(experts, meetings, max_panels)


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(tiny_seasons(), st.sampled_from(["a", "b"]))
def test_tiny_seasons_match_brute_force(data, seed):
    result = checked_plan(data, seed)
    expected = brute_plan(data, seed)
    for mid, members in expected.items():
        panel = result["panels"][mid]
        if members is None:
            assert panel["status"] == "infeasible" and panel["diagnosis"]
        else:
            assert panel["status"] == "drawn" and panel["members"] == members


def test_plan_season_on_demo_database(demo_db, session, tmp_path):
    from expertpool.services.season import build_season, season_bytes

    data = season_bytes(build_season(session, 2024))
    result = plan_season(parse_season(data), "demo", 1)
    report = verify_plan(data, json.dumps(result, ensure_ascii=False).encode())
    assert report.drawn_ok, report.text()
    assert len(result["panels"]) == 30


def test_season_runs_are_kept_in_the_database(db, session):
    from expertpool.services.season import list_runs, load_run, load_season, save_run

    data = season_doc([ex(f"E{i}", ["A", "B"]) for i in range(6)], [mt("A", OCT), mt("B", NOV)])
    result = plan(data, "abc123")
    run_id = save_run(session, data, {"year": 2024, "plan": result, "stored": False}, "rsj")
    assert run_id == "2024-abc123"
    assert load_run(session, run_id)["plan"] == result
    assert load_season(session, load_run(session, run_id)["season_sha256"]) == data
    save_run(session, data, {"year": 2024, "plan": result, "stored": True}, "rsj")
    assert [r["stored"] for r in list_runs(session, 2024)] == [True]
    assert load_run(session, "../etc/passwd") is None and load_season(session, "0" * 64) is None


def _aged(eid, pools, birth):
    return {**ex(eid, pools), "birth_date": birth}


def test_age_rules_in_a_season():
    """A's max_age bars the two oldest; B's under-55 quota needs both young experts, who then
    cannot sit on A (the windows overlap)."""
    experts = [
        _aged("E1", ["A", "B"], "1990-01-01"),
        _aged("E2", ["A", "B"], "1991-01-01"),
        _aged("E3", ["A", "B"], "1960-01-01"),
        _aged("E4", ["A", "B"], "1955-01-01"),
        _aged("E5", ["A", "B"], "1952-01-01"),
        _aged("E6", ["A", "B"], "1965-06-01"),
        _aged("E7", ["A", "B"], "1966-06-01"),
        _aged("E8", ["A", "B"], "1967-06-01"),
    ]
    meetings = [
        mt("A", OCT, max_age=65),
        mt("B", OCT, min_share_under_age={"age": 55, "share": "2/3"}),
    ]
    data = season_doc(experts, meetings)
    result = checked_plan(data)
    a, b = result["panels"]["A"], result["panels"]["B"]
    assert a["status"] == b["status"] == "drawn"
    assert {"E1", "E2"} <= set(b["members"])
    assert not {"E1", "E2", "E4", "E5"} & set(a["members"])
    season = parse_season(data)
    for m in season.meetings:
        panel = result["panels"][m.id]
        assert complies(m.pkg, panel["members"])
        assert all(
            ineligibility_reason(m.pkg, m.pkg.expert_by_id[x]) is None for x in panel["alternates"]
        )


def test_season_age_rule_needs_birth_dates():
    experts = [ex(f"E{i}", ["A"]) for i in range(4)]
    with pytest.raises(PackageError) as info:
        parse_season(season_doc(experts, [mt("A", OCT, max_age=65)]))
    assert "birth_date" in info.value.message and info.value.message.startswith("meetings[0].")
