"""`expertpool odds`: the report file, the workbook, bad input (exit 2, one line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from expertpool.cli import main
from tests.builders import expert, package


def _pool(tmp_path: Path, senior_share: str = "1/3") -> str:
    experts = [expert(f"E{i}", f"U{i % 3}", "正高级" if i % 3 == 0 else "副高级") for i in range(7)]
    experts.append(expert("=SUM(1)", "U9", "副高级"))  # an id a spreadsheet would run
    path = tmp_path / "pkg.json"
    rules = {"alternates": 1, "min_full_senior_share": senior_share, "max_per_unit": 2}
    path.write_bytes(package(experts, panel_size=3, rules=rules))
    return str(path)


def test_report_and_workbook(tmp_path: Path) -> None:
    pkg = _pool(tmp_path)
    one, two, book = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "r.xlsx"
    assert (
        main(["odds", pkg, "--draws", "30", "--seed", "q", "-o", str(one), "--xlsx", str(book)])
        == 0
    )
    assert main(["odds", pkg, "--draws", "30", "--seed", "q", "-o", str(two)]) == 0
    assert one.read_bytes() == two.read_bytes()
    assert b'"format": "expertpool.odds/1"' in one.read_bytes()
    wb = load_workbook(book)
    table = wb["入选概率"]
    assert table.cell(1, 3).value == "入选评委概率"
    ids = [table.cell(r, 1) for r in range(2, table.max_row + 1)]
    formula = next(c for c in ids if c.value == "=SUM(1)")
    assert formula.data_type == "s"
    assert "模拟抽取次数：30" in "".join(str(c.value) for c in wb["说明"]["A"])


@pytest.mark.parametrize("k", ["0", "10001", "x"])
def test_draw_count_out_of_range_exits_2(
    tmp_path: Path, k: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    with pytest.raises(SystemExit) as exc:
        main(["odds", _pool(tmp_path), "--draws", k, "-o", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--draws" in err and "1到10000" in err and "Traceback" not in err
    assert not out.exists()


def test_infeasible_package_exits_3_with_the_diagnosis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    assert main(["odds", _pool(tmp_path, "1/1"), "--draws", "5", "-o", str(out)]) == 3
    assert '"status": "infeasible"' in out.read_text(encoding="utf-8")
    assert "无法抽取" in capsys.readouterr().err


def test_resumed_run_writes_the_same_bytes(tmp_path: Path) -> None:
    pkg = _pool(tmp_path)
    whole, resumed, state = tmp_path / "w.json", tmp_path / "r.json", tmp_path / "s.json"
    assert main(["odds", pkg, "--draws", "40", "-o", str(whole)]) == 0
    assert main(["odds", pkg, "--draws", "15", "--state", str(state), "-o", str(resumed)]) == 0
    assert '"draws": 15' in state.read_text(encoding="utf-8")
    assert main(["odds", pkg, "--draws", "40", "--state", str(state), "-o", str(resumed)]) == 0
    assert resumed.read_bytes() == whole.read_bytes()


@pytest.mark.parametrize(
    "text",
    [
        "{",
        '{"format": "expertpool.odds/1#tally", "format": "x"}',
        '{"format": "expertpool.odds/1#tally", "instance_sha256": "", "report_seed": "0",'
        ' "draws": 3, "members": {"E1": 9}, "alternates": {}, "infeasible": false}',
    ],
)
def test_bad_state_file_is_one_message(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s.json"
    state.write_text(text, encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(["odds", _pool(tmp_path), "--draws", "5", "--state", str(state), "-o", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "--state" in err and "Traceback" not in err
    assert not out.exists() and state.read_text(encoding="utf-8") == text
