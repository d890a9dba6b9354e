"""Issue 18 item 14: every reader of JSON from outside refuses a key repeated in one object
(exit 2, naming the key), and the command line refuses an over-long input before reading it
whole."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from expertpool.cli import main
from solver.errors import PackageError
from solver.jsonstrict import MAX_JSON_BYTES, DuplicateKeyError, loads_strict
from solver.package import parse_package
from solver.reader import decode_json
from tests.builders import expert, package, three_meeting_season
from tests.solver.meeting.builders import Case


def duplicated(data: bytes, key: str, value: object) -> bytes:
    """`data` (a JSON object) with `key` written once more at its start: two equal keys."""
    text = data.decode("utf-8")
    assert text.lstrip().startswith("{")
    extra = json.dumps(key, ensure_ascii=False) + ": " + json.dumps(value) + ", "
    return text.replace("{", "{" + extra, 1).encode("utf-8")


def nested_duplicate(data: bytes) -> bytes:
    """A repeated key deep inside: the first expert object names `rank` twice."""
    text = data.decode("utf-8")
    return text.replace('"rank": ', '"rank": "正高级", "rank": ', 1).encode("utf-8")


def test_loads_strict_names_the_key_at_any_depth() -> None:
    assert loads_strict('{"a": 1, "b": {"c": [1, {"d": 2}]}}') == {
        "a": 1,
        "b": {"c": [1, {"d": 2}]},
    }
    for text, key in (
        ('{"a": 1, "a": 1}', "a"),
        ('{"x": [{"k": 1, "k": 2}]}', "k"),
        ('{"\\u0061": 1, "a": 2}', "a"),  # the same key spelled twice ways is still the same key
    ):
        with pytest.raises(DuplicateKeyError) as info:
            loads_strict(text)
        assert info.value.key == key
    assert json.loads('{"a": 1, "a": 2}') == {"a": 2}  # what the plain parser would have used


def test_decode_json_gives_one_chinese_line_naming_the_key() -> None:
    with pytest.raises(PackageError) as info:
        decode_json(b'{"seed": "a", "seed": "b"}', "评委会结果文件")
    assert '"seed"' in info.value.message and "两次" in info.value.message
    assert "\n" not in info.value.message
    pkg = package([expert("E1", "U1"), expert("E2", "U2"), expert("E3", "U3")])
    with pytest.raises(PackageError, match='"rank"'):
        parse_package(nested_duplicate(pkg))


def _drawn(tmp: Path) -> tuple[Path, Path]:
    pkg = tmp / "pkg.json"
    pkg.write_bytes(package([expert(f"E{i}", f"U{i}") for i in range(1, 8)], panel_size=3))
    out = tmp / "panel.json"
    assert main(["draw", str(pkg), "--seed", "s1", "-o", str(out), "--quiet"]) == 0
    return pkg, out


def _refused(args: list[str], capsys: pytest.CaptureFixture[str], key: str) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f'"{key}"' in err and "两次" in err and "Traceback" not in err


def test_draw_verify_replace_refuse_duplicate_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg, panel = _drawn(tmp_path)
    bad_pkg = tmp_path / "bad-pkg.json"
    bad_pkg.write_bytes(duplicated(pkg.read_bytes(), "format", "expertpool.draw/1"))
    bad_panel = tmp_path / "bad-panel.json"
    bad_panel.write_bytes(duplicated(panel.read_bytes(), "seed", "another"))
    _refused(["draw", str(bad_pkg), "--seed", "s", "--quiet"], capsys, "format")
    _refused(["verify", str(bad_pkg), str(panel)], capsys, "format")
    _refused(["verify", str(pkg), str(bad_panel)], capsys, "seed")
    _refused(["verify", str(pkg), str(bad_panel), "--replay"], capsys, "seed")
    _refused(["replace", str(pkg), str(bad_panel), "--declined", "E1"], capsys, "seed")
    deep = tmp_path / "deep.json"
    deep.write_bytes(nested_duplicate(pkg.read_bytes()))
    _refused(["verify", str(deep), str(panel)], capsys, "rank")
    assert main(["verify", str(pkg), str(panel)]) == 0  # the clean files still pass


def test_season_commands_refuse_duplicate_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    season = tmp_path / "season.json"
    season.write_bytes(three_meeting_season())
    plan = tmp_path / "plan.json"
    assert main(["season", str(season), "--seed", "s", "-o", str(plan), "--quiet"]) == 0
    bad_season = tmp_path / "bad-season.json"
    bad_season.write_bytes(duplicated(season.read_bytes(), "format", "expertpool.season/1"))
    bad_plan = tmp_path / "bad-plan.json"
    bad_plan.write_bytes(duplicated(plan.read_bytes(), "seed", "other"))
    _refused(["season", str(bad_season), "--seed", "s", "--quiet"], capsys, "format")
    _refused(["verify-season", str(bad_season), str(plan)], capsys, "format")
    _refused(["verify-season", str(season), str(bad_plan)], capsys, "seed")
    assert main(["verify-season", str(season), str(plan)]) == 0


def test_verify_meeting_refuses_duplicate_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = Case()
    files = case.files(case.honest())
    names = ("pkg.json", "panel.json", "meeting.json")
    paths = [tmp_path / n for n in names]
    for path, data in zip(paths, files, strict=True):
        path.write_bytes(data)
    assert main(["verify-meeting", *map(str, paths)]) == 0
    for i, key in enumerate(("format", "seed", "votes")):
        bad = tmp_path / f"bad-{names[i]}"
        bad.write_bytes(duplicated(files[i], key, []))
        args = [str(p) for p in paths]
        args[i] = str(bad)
        _refused(["verify-meeting", *args], capsys, key)


def test_an_over_long_input_is_refused_without_reading_it_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as f:  # a sparse 52 MB file: no disk is spent on it
        f.truncate(52 * 1024 * 1024)
    _, panel = _drawn(tmp_path)
    for args in (
        ["verify", str(big), str(panel)],
        ["draw", str(big), "--quiet"],
        ["season", str(big), "--quiet"],
        ["verify-meeting", str(big), str(panel), str(panel)],
    ):
        tracemalloc.start()
        try:
            assert main(args) == 2
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        err = capsys.readouterr().err
        assert "文件过大" in err and "20 MB" in err and err.count("\n") == 1, err
        # At most the cap plus one byte was read (the old code held all 52 MB, then parsed it).
        assert peak < MAX_JSON_BYTES + 8 * 1024 * 1024, peak
