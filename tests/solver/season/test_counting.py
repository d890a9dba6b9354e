"""Counting proofs on the adversarial seasons (issue 20): the one-seat-short season leaves out
exactly the last competing meeting in priority order, with the counting sentence and a proof
that verify-season checks with exact fractions; the just-feasible twin draws every meeting;
a tampered proof or claim fails.

The plans are the regression corpus's (tests/regression/test_corpus.py replans each and
demands the same bytes); the held-out shape is also planned afresh here.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bench.season_compete import COMPETING
from solver.errors import PackageError
from solver.season.package import parse_season
from solver.season.plan import plan
from solver.season.verify import verify_plan
from solver.season.verify_proof import SeasonRows, check_proof
from tests.regression.corpus import COMPETE, HERE, read_gz

# shape → (competing meetings, need, group, at most) of the one-seat-short season
SHORT = {
    "senior": (COMPETING, 39, 19, 38, "正高级"),
    "age": (COMPETING, 39, 19, 38, "未满55周岁的"),
    "kind": (COMPETING, 15, 7, 14, "企业类单位"),
    "specialty": (COMPETING[:2], 6, 5, 5, None),
}


def recorded(name: str) -> tuple[bytes, dict[str, Any]]:
    data = read_gz(HERE / "seasons" / f"{name}.json.gz")
    return data, json.loads(read_gz(HERE / "results" / f"{name}.plan.json.gz"))


def infeasible(result: dict[str, Any]) -> list[str]:
    return [mid for mid, p in result["panels"].items() if p["status"] != "drawn"]


def test_the_held_out_shape_is_proven_at_once_and_says_why() -> None:
    data, _ = recorded("compete-senior-short-6000")
    result = plan(data, "held-out")
    assert infeasible(result) == ["2024-S16"]
    (diag,) = result["panels"]["2024-S16"]["diagnosis"]
    assert diag["message"] == (
        "例会2024-S16单独可以抽取，但不能与例会2024-S08、2024-S14同时抽取："
        "例会2024-S08、2024-S14、2024-S16共需正高级评委39名，可参加的正高级专家19名，"
        "每人每年最多参加2个例会，最多38名"
    )
    assert diag["rule"] == "max_panels_per_expert" and diag["meetings"] == ["2024-S08", "2024-S14"]
    assert result["solver"]["calls"]["counting"] == 1 and result["solver"]["calls"]["joint"] == 0
    report = verify_plan(data, json.dumps(result, ensure_ascii=False).encode())
    assert report.proofs["2024-S16"]["ok"] and report.drawn_ok, report.text()


@pytest.mark.parametrize("shape", COMPETE)
def test_one_seat_short_leaves_out_the_last_competing_meeting(shape: str) -> None:
    data, result = recorded(f"compete-{shape}-short-6000")
    codes, need, group, most, label = SHORT[shape]
    season = parse_season(data)
    order = [m.id for m in season.meetings if m.id in codes]  # the season's priority order
    assert infeasible(result) == [order[-1]]
    (diag,) = result["panels"][order[-1]]["diagnosis"]
    assert diag["meetings"] == order[:-1] and diag["proof"]["meetings"] == order
    assert (diag["need"], len(diag["group"]["experts"]), diag["have"]) == (need, group, most)
    numbers = f"共需{label or ''}"
    assert numbers in diag["message"] and f"，最多{most}名" in diag["message"]
    assert f"专家{group}名" in diag["message"]
    rule = "season_overlap" if shape == "specialty" else "max_panels_per_expert"
    assert diag["rules"] == [rule]
    report = verify_plan(data, json.dumps(result, ensure_ascii=False).encode())
    assert report.proofs == {order[-1]: report.proofs[order[-1]]}
    assert report.proofs[order[-1]]["ok"] and report.drawn_ok, report.text()


@pytest.mark.parametrize("shape", COMPETE)
def test_the_just_feasible_twin_draws_every_meeting(shape: str) -> None:
    data, result = recorded(f"compete-{shape}-fit-6000")
    assert infeasible(result) == []
    assert verify_plan(data, json.dumps(result, ensure_ascii=False).encode()).ok


@pytest.fixture(scope="module")
def short() -> tuple[SeasonRows, dict[str, Any], set[str]]:
    data, result = recorded("compete-senior-short-6000")
    drawn = {mid for mid, p in result["panels"].items() if p["status"] == "drawn"}
    return SeasonRows(parse_season(data)), result["panels"]["2024-S16"]["diagnosis"][0], drawn


def check(short: tuple[SeasonRows, dict[str, Any], set[str]], diag: dict[str, Any]) -> bool:
    rows, _, drawn = short
    ok, _message = check_proof(rows, "2024-S16", diag, drawn)
    return ok


def edited(short: tuple[SeasonRows, dict[str, Any], set[str]]) -> dict[str, Any]:
    return copy.deepcopy(short[1])


def test_the_recorded_proof_holds(short: Any) -> None:
    assert check(short, edited(short))


def test_a_tampered_multiplier_fails(short: Any) -> None:
    diag = edited(short)
    row = next(r for r in diag["proof"]["farkas"] if r[0][0] == "max_panels_per_expert")
    row[1] = "3/2"  # one expert's cap counted one and a half times: 39 ≤ 38.5 no longer fails
    assert not check(short, diag)
    diag = edited(short)
    diag["proof"]["farkas"] = [
        r for r in diag["proof"]["farkas"] if r[0] != ["2024-S16", "min_full_senior_share"]
    ]
    assert not check(short, diag)  # without the third meeting's row nothing is contradictory


@pytest.mark.parametrize(
    "row",
    [
        ["2024-S16", "specialty_demand", "没有的专业"],
        ["2024-S16", "no_such_rule"],
        ["max_panels_per_expert", "E9999999"],
        ["season_overlap", "E0000001", "2024-S08", "2024-S14"],  # windows do not overlap
        ["2024-S99", "min_full_senior_share"],
    ],
)
def test_a_row_that_does_not_exist_is_bad_input(short: Any, row: list[str]) -> None:
    diag = edited(short)
    diag["proof"]["farkas"].append([row, 1])
    with pytest.raises(PackageError):
        check(short, diag)


@pytest.mark.parametrize("y", [0, -1, "0/3", "1/0", 0.5, True, "x"])
def test_a_multiplier_that_is_not_positive_is_bad_input(short: Any, y: Any) -> None:
    diag = edited(short)
    diag["proof"]["farkas"][0][1] = y
    with pytest.raises(PackageError):
        check(short, diag)


def test_a_row_of_a_meeting_outside_the_proof_fails(short: Any) -> None:
    diag = edited(short)
    diag["proof"]["farkas"].append([["2024-S01", "panel_size", "min"], 1])
    assert not check(short, diag)


def test_a_claimed_group_that_has_more_experts_fails(short: Any) -> None:
    diag = edited(short)
    diag["group"]["experts"] = diag["group"]["experts"][:-1]  # the real group has one more
    assert not check(short, diag)
    diag = edited(short)
    diag["group"]["experts"].append("E0000000")
    assert not check(short, diag)


@pytest.mark.parametrize(("key", "value"), [("need", 38), ("need", 40), ("have", 39), ("have", 37)])
def test_wrong_numbers_in_the_sentence_fail(short: Any, key: str, value: int) -> None:
    diag = edited(short)
    diag[key] = value
    assert not check(short, diag)


def test_a_proof_citing_a_meeting_not_drawn_fails(short: Any) -> None:
    rows, diag, drawn = short
    ok, message = check_proof(rows, "2024-S16", copy.deepcopy(diag), drawn - {"2024-S14"})
    assert not ok and "2024-S14" in message


def test_verify_season_reports_a_tampered_proof() -> None:
    data, result = recorded("compete-senior-short-6000")
    bad = copy.deepcopy(result)
    farkas = bad["panels"]["2024-S16"]["diagnosis"][0]["proof"]["farkas"]
    farkas[:] = [r for r in farkas if r[0][0] != "max_panels_per_expert"][:3]
    report = verify_plan(data, json.dumps(bad, ensure_ascii=False).encode())
    assert not report.proofs["2024-S16"]["ok"] and not report.drawn_ok
    assert "计数证明不成立" in report.text()


def test_the_proof_checker_uses_no_solver() -> None:
    import subprocess
    import sys

    code = (
        "import sys, json, solver.season.verify, solver.season.verify_proof;"
        " from tests.regression.corpus import HERE, read_gz;"
        " d = read_gz(HERE / 'seasons' / 'compete-kind-short-6000.json.gz');"
        " p = read_gz(HERE / 'results' / 'compete-kind-short-6000.plan.json.gz');"
        " r = solver.season.verify.verify_plan(d, p);"
        " assert r.proofs['2024-S16']['ok'] and r.drawn_ok;"
        " assert 'ortools' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
