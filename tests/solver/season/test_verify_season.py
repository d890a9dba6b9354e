"""verify-season: exclusions recomputed from the season, never taken from the plan file; a
meeting the plan calls infeasible is not confirmed (exit 1, as with `verify`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from expertpool.cli import main
from solver.season.plan import plan
from solver.season.verify import verify_plan
from tests.builders import NOV, OCT, ex, mt, season_doc


def _files(tmp_path: Path, data: bytes, result: dict) -> tuple[str, str]:
    season = tmp_path / "season.json"
    season.write_bytes(data)
    out = tmp_path / "plan.json"
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return str(season), str(out)


def _two_overlapping() -> bytes:
    # A and B overlap: whoever sits on A cannot be B's alternate, so B's list is short.
    experts = [ex(f"E{i}", ["A", "B"]) for i in range(8)]
    return season_doc(experts, [mt("A", OCT, alternates=3), mt("B", OCT, alternates=3)])


def test_genuine_exclusions_pass_and_claimed_ones_do_not(tmp_path: Path) -> None:
    data = _two_overlapping()
    result = plan(data, "v")
    b = result["panels"]["B"]
    assert b["status"] == "drawn" and b["season_excluded"] and len(b["alternates"]) < 3
    assert verify_plan(data, json.dumps(result).encode()).ok
    # Claim more exclusions to drop an alternate: the recomputed set does not allow it.
    forged = json.loads(json.dumps(result))
    a = forged["panels"]["A"]
    a["season_excluded"] = sorted(set(a["season_excluded"]) | set(a["alternates"]))
    a["alternates"] = []
    a["uncovered"] = sorted(a["members"])
    report = verify_plan(data, json.dumps(forged).encode())
    assert not report.ok
    item = next(i for i in report.meetings["A"].items if i.rule == "alternates")
    assert not item.ok and "实际为0名" in item.detail
    assert main(["verify-season", *_files(tmp_path, data, forged)]) == 1


def test_an_infeasible_meeting_is_not_confirmed(tmp_path: Path) -> None:
    experts = [ex(f"E{i}", ["A", "B"]) for i in range(8)]
    data = season_doc(experts, [mt("A", OCT), mt("B", NOV)])
    result = plan(data, "v")
    assert main(["verify-season", *_files(tmp_path, data, result)]) == 0
    claimed = json.loads(json.dumps(result))
    claimed["panels"]["B"].update(
        status="infeasible", members=[], alternates=[], uncovered=[], recusals={}, diagnosis=[]
    )
    report = verify_plan(data, json.dumps(claimed).encode())
    assert report.drawn_ok and not report.ok and list(report.infeasible) == ["B"]
    assert main(["verify-season", *_files(tmp_path, data, claimed)]) == 1


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.update(year=2023), "year"),
        (lambda p: p.update(seed=5), "seed"),
        (lambda p: p["panels"]["A"].update(season_excluded=5), "season_excluded"),
        (lambda p: p["panels"]["A"].update(status="infeasible", diagnosis=["x"]), "diagnosis"),
        (lambda p: p["panels"]["A"].pop("members"), "members"),
    ],
)
def test_malformed_plans_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mutate, field: str
) -> None:
    data = _two_overlapping()
    result = plan(data, "v")
    mutate(result)
    assert main(["verify-season", *_files(tmp_path, data, result)]) == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err
