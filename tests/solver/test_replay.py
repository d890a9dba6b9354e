"""抽取复现 (`verify --replay`): a hand-picked compliant panel passes the independent checks
but is not the seed's draw; real panels pass both. One meeting, after declines, a season."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from expertpool.cli import main
from solver.contract import recusals
from solver.engine import draw, replace, verify
from solver.package import parse_package
from solver.season.package import parse_season
from solver.season.plan import plan
from solver.season.verify import season_exclusions
from solver.seedparts import combine, commitment
from solver.verify import complies, exact_uncovered
from tests.builders import applicant, expert, package


def _pool() -> bytes:
    experts = [expert(f"E{i:02d}", f"U{i % 6}", "正高级" if i % 2 else "副高级") for i in range(16)]
    return package(
        experts,
        panel_size=5,
        rules={"alternates": 3, "max_per_unit": 2, "min_full_senior_share": "2/5"},
        applicants=[applicant("A1", "U1")],
        conflicts=[],
    )


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def forge(
    data: bytes, panel: dict[str, Any], avoid: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Swap one member for another eligible expert so the panel still complies; recompute
    `uncovered` and `recusals` with the verifier's helpers."""
    pkg = parse_package(data)
    taken = set(panel["members"]) | set(panel["alternates"]) | avoid
    for out in panel["members"]:
        for e in pkg.experts:
            if e.id in taken:
                continue
            members = sorted([m for m in panel["members"] if m != out] + [e.id])
            if complies(pkg, members):
                forged = dict(panel, members=members)
                forged["uncovered"] = exact_uncovered(pkg, members, panel["alternates"])
                forged["recusals"] = recusals(pkg, members)
                return forged
    raise AssertionError("no compliant swap in this pool")


def _cli(tmp_path: Path, *files: tuple[str, bytes], extra: tuple[str, ...] = ()) -> int:
    paths = []
    for name, data in files:
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    return main([extra[0], *paths, *extra[1:]])


def _verify(tmp_path: Path, data: bytes, panel: dict[str, Any], *flags: str) -> int:
    return _cli(tmp_path, ("p.json", data), ("r.json", _dump(panel)), extra=("verify", *flags))


def test_a_real_draw_passes_both_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _pool()
    panel = draw(data, "s1")
    assert _verify(tmp_path, data, panel, "--replay") == 0
    out = capsys.readouterr().out
    assert "规则核验：合规；抽取复现：与种子一致" in out
    assert "== 规则核验" in out and "== 抽取复现" in out


def test_a_forged_one_meeting_panel_passes_verify_and_fails_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _pool()
    forged = forge(data, draw(data, "s1"))
    assert verify(data, _dump(forged)).ok
    assert _verify(tmp_path, data, forged) == 0
    capsys.readouterr()
    assert _verify(tmp_path, data, forged, "--replay") == 1
    out = capsys.readouterr().out
    assert "规则核验：合规；抽取复现：与种子不一致" in out
    assert "第一处不同：名单：评委第" in out and "按种子应为" in out


def test_a_forged_panel_after_declines_fails_replay(tmp_path: Path) -> None:
    data = _pool()
    real = draw(data, "s2")
    forged_first = forge(data, real)
    for start, want in ((real, 0), (forged_first, 1)):
        once = replace(data, _dump(start), [start["members"][0]])
        twice = replace(data, _dump(once), start["members"][1:3])
        assert twice["status"] == "drawn" and twice["replacements"]
        assert verify(data, _dump(twice)).ok
        assert _verify(tmp_path, data, twice, "--replay") == want


def test_declines_through_the_cli_are_replayed_call_by_call(tmp_path: Path) -> None:
    data = _pool()
    (tmp_path / "p.json").write_bytes(data)
    (tmp_path / "r0.json").write_bytes(_dump(draw(data, "s3")))
    members = json.loads((tmp_path / "r0.json").read_text())["members"]
    pkg, r0, r1, r2 = (str(tmp_path / n) for n in ("p.json", "r0.json", "r1.json", "r2.json"))
    assert main(["replace", pkg, r0, "--declined", members[0], "-o", r1]) == 0
    assert main(["replace", pkg, r1, "--declined", f"{members[1]},{members[2]}", "-o", r2]) == 0
    final = json.loads(Path(r2).read_text())
    assert [c["declined"] for c in final["declines"]] == [[members[0]], members[1:3]]
    assert main(["verify", pkg, r2, "--replay"]) == 0
    # A history step changed by hand is named.
    final["replacements"][0]["by"] = "E99"
    assert _verify(tmp_path, data, final, "--replay") == 1


def test_a_changed_package_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _pool()
    panel = draw(data, "s1")
    other = data.replace(b'"T-01"', b'"T-01" ')
    assert _verify(tmp_path, other, panel, "--replay") == 1
    assert "instance_sha256 不符" in capsys.readouterr().out


def test_two_part_seed_and_commitment_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _pool()
    part_a, part_b = "0123456789abcdef0123456789abcdef", "双色球2024120期 03 07 12 19 25 31 + 09"
    seed = combine(part_a, part_b)
    panel = draw(data, seed)
    panel["seed_parts"] = {"office": part_a, "commitment": commitment(part_a), "second": part_b}
    assert _verify(tmp_path, data, panel, "--replay") == 0
    bad = dict(panel, seed_parts=dict(panel["seed_parts"], commitment=commitment("other")))
    capsys.readouterr()
    assert _verify(tmp_path, data, bad, "--replay") == 1
    assert "承诺值不一致" in capsys.readouterr().out
    assert _verify(tmp_path, data, bad) == 0  # the rule checks alone cannot see it


def test_h_is_length_prefixed() -> None:
    assert combine("ab", "c") != combine("a", "bc")
    assert len(combine("a", "b")) == 32 and len(commitment("a")) == 64


def _season() -> bytes:
    experts = [
        {
            "id": f"E{i:02d}",
            "unit": f"U{i % 7}",
            "unit_kind": "企业",
            "rank": "正高级" if i % 2 else "副高级",
            "specialties": ["机械"],
            "pools": ["A", "B"] if i < 20 else ["A"],
            "served": {},
            "available": True,
        }
        for i in range(26)
    ]
    meetings = [
        {
            "id": mid,
            "committee": f"评委会{mid}",
            "level": "senior",
            "window": window,
            "rules": {"panel_size": 5, "min_rank": "副高级", "alternates": 2, "max_per_unit": 2},
            "applicants": [],
            "conflicts": [],
        }
        for mid, window in (
            ("A", ["2024-10-21", "2024-10-31"]),
            ("B", ["2024-10-25", "2024-11-02"]),
        )
    ]
    doc = {"format": "expertpool.season/1", "year": 2024, "experts": experts, "meetings": meetings}
    return _dump(doc)


def test_a_forged_season_panel_fails_replay(tmp_path: Path) -> None:
    data = _season()
    real = plan(data, "s")
    season = parse_season(data)
    projection = {m.id: m.projection for m in season.meetings}
    # Swap one of A's members for an expert of A's pool alone (never on B): still compliant.
    forged_a = forge(
        projection["A"], real["panels"]["A"], frozenset(f"E{i:02d}" for i in range(20))
    )
    panels = dict(real["panels"], A=forged_a)
    members = {mid: p["members"] for mid, p in panels.items()}
    for mid, excluded in season_exclusions(season, members).items():
        panels[mid] = dict(panels[mid], season_excluded=sorted(excluded))
    forged = dict(real, panels=panels)
    files = [("s.json", data), ("plan.json", _dump(real))]
    assert _cli(tmp_path, *files, extra=("verify-season", "--replay")) == 0
    files = [("s.json", data), ("plan.json", _dump(forged))]
    assert _cli(tmp_path, *files, extra=("verify-season",)) == 0
    assert _cli(tmp_path, *files, extra=("verify-season", "--replay")) == 1
    # One season panel with its projection: needs the season package to replay.
    panel = dict(forged_a, season={"sha256": season.sha256, "seed": "s"})
    one = [("p.json", projection["A"]), ("r.json", _dump(panel))]
    assert _cli(tmp_path, *one, extra=("verify", "--replay")) == 1
    (tmp_path / "s.json").write_bytes(data)
    flags = ("verify", "--replay", "--season", str(tmp_path / "s.json"))
    assert _cli(tmp_path, *one, extra=flags) == 1
    genuine = dict(real["panels"]["A"], season={"sha256": season.sha256, "seed": "s"})
    assert _cli(tmp_path, ("p.json", projection["A"]), ("r.json", _dump(genuine)), extra=flags) == 0
