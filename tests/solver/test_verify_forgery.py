"""The verifier believes nothing the panel file says about itself: a decline history is
replayed from the recorded first draw, and a season's exclusions count only when recomputed
from the season. Forged files fail; malformed ones are bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from expertpool.cli import main
from solver.engine import draw, replace, verify
from tests.builders import expert, package


def _pool() -> bytes:
    experts = [expert(f"E{i:02d}", f"U{i % 5}", "正高级" if i % 2 else "副高级") for i in range(14)]
    return package(
        experts,
        panel_size=5,
        rules={"alternates": 3, "max_per_unit": 2, "min_full_senior_share": "1/2"},
    )


def _alternates_item(data: bytes, panel: dict) -> tuple[bool, str]:
    report = verify(data, json.dumps(panel, ensure_ascii=False).encode())
    item = next(i for i in report.items if i.rule == "alternates")
    return item.ok, item.detail


def test_an_empty_history_does_not_excuse_missing_alternates() -> None:
    data = _pool()
    panel = draw(data, "f")
    forged = dict(
        panel, replacements=[], alternates=[], uncovered=sorted(panel["members"]), recusals={}
    )
    ok, detail = _alternates_item(data, forged)
    assert not ok and "备选专家应为3名，实际为0名" in detail


def test_a_claimed_season_exclusion_is_not_believed() -> None:
    data = _pool()
    panel = draw(data, "f")
    outsiders = sorted({f"E{i:02d}" for i in range(14)} - set(panel["members"]))
    forged = dict(
        panel, alternates=[], uncovered=sorted(panel["members"]), season_excluded=outsiders
    )
    ok, detail = _alternates_item(data, forged)
    assert not ok and "verify-season" in detail


def test_a_genuine_history_replays_and_a_forged_one_does_not() -> None:
    data = _pool()
    panel = draw(data, "h")
    members = panel["members"]
    once = replace(data, json.dumps(panel).encode(), [members[0]])
    twice = replace(data, json.dumps(once).encode(), members[1:4])
    assert twice["status"] == "drawn" and len(twice["replacements"]) == 4
    assert {r["how"] for r in twice["replacements"]} == {"alternate", "redraw"}
    assert twice["original"]["members"] == members
    ok, detail = _alternates_item(data, twice)
    assert ok, detail
    # Dropping the remaining alternates behind a genuine history is caught.
    ok, detail = _alternates_item(data, dict(once, alternates=[]))
    assert not ok and "备选名单与结果文件所列不符" in detail
    # The history must name the first fitting alternate, not a later one.
    step = once["replacements"][0]
    assert step["how"] == "alternate"
    later = next(a for a in panel["alternates"] if a != step["by"])
    forged = dict(
        once,
        members=sorted([later if m == step["by"] else m for m in once["members"]]),
        replacements=[dict(step, by=later)],
        alternates=[a for a in panel["alternates"] if a != later],
    )
    ok, detail = _alternates_item(data, forged)
    assert not ok and f"应由“{step['by']}”递补" in detail
    # A history without the first draw cannot be checked.
    bare = {k: v for k, v in once.items() if k != "original"}
    ok, detail = _alternates_item(data, bare)
    assert not ok and "original" in detail


def test_members_out_of_order_fail() -> None:
    data = _pool()
    panel = draw(data, "o")
    shuffled = dict(panel, members=list(reversed(panel["members"])))
    report = verify(data, json.dumps(shuffled).encode())
    assert [i.rule for i in report.items if not i.ok] == ["members_sorted"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"season_excluded": 5}, "season_excluded"),
        ({"status": "infeasible", "members": [], "diagnosis": ["x"]}, "diagnosis[0]"),
        ({"status": "infeasible", "members": [], "diagnosis": 5}, "diagnosis"),
        ({"replacements": [{"declined": ["x"], "by": "E01", "how": "redraw"}]}, "declined"),
        ({"replacements": [{"declined": "E01", "by": "E02", "how": "swap"}]}, "how"),
        ({"replacements": {}}, "replacements"),
        ({"original": []}, "original"),
        ({"original": {"members": []}}, "original.alternates"),
        ({"members": None}, "members"),
    ],
)
def test_malformed_panel_fields_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, field: str
) -> None:
    data = _pool()
    pkg = tmp_path / "pkg.json"
    pkg.write_bytes(data)
    panel = dict(draw(data, "m"), **change)
    if change.get("members", 1) is None:
        del panel["members"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(panel), encoding="utf-8")
    assert main(["verify", str(pkg), str(bad)]) == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["replace", str(pkg), str(bad), "--declined", "E01"]) == 2


def test_replace_refuses_a_panel_naming_experts_outside_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _pool()
    pkg = tmp_path / "pkg.json"
    pkg.write_bytes(data)
    panel = draw(data, "u")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(panel, alternates=[*panel["alternates"], "ZZZ"])), "utf-8")
    assert main(["replace", str(pkg), str(bad), "--declined", panel["members"][0]]) == 2
    err = capsys.readouterr().err
    assert "alternates[3]" in err and "ZZZ" in err
