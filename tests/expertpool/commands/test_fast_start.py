"""Issue 23 item 4: the command line imports its services lazily. Building the parser (and so
`--help` of every command) loads no heavy library, and a regulator's `verify` and
`verify-meeting` load neither OR-Tools nor SQLAlchemy. Each command runs in a fresh
interpreter with `-X importtime`, which lists every module it imported.

(The times themselves are measured by bench/bench_startup.py, not here.)"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.solver.meeting.builders import Case

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "regression" / "data"
HEAVY = {"ortools", "sqlalchemy", "pypinyin", "openpyxl", "flask", "pandas", "alembic"}


def imported(*args: str, code: str | None = None) -> tuple[int, set[str]]:
    """(exit code, top-level packages imported) of `expertpool ARGS` (or of `-c CODE`)."""
    run = ["-c", code] if code else ["-m", "expertpool.cli", *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *run], capture_output=True, text=True, env=env
    )
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "expertpool" in names or code, proc.stderr[-2000:]
    return proc.returncode, names


def test_building_the_parser_loads_no_heavy_library() -> None:
    code = "from expertpool.cli import build_parser; build_parser()"
    _, names = imported(code=code)
    assert "expertpool" in names
    assert not names & HEAVY, names & HEAVY


@pytest.mark.parametrize("command", [[], ["verify"], ["draw"], ["user", "add"], ["year"]])
def test_help_loads_no_heavy_library(command: list[str]) -> None:
    status, names = imported(*command, "--help")
    assert status == 0
    assert not names & HEAVY, names & HEAVY


def test_verify_loads_neither_ortools_nor_sqlalchemy(tmp_path: Path) -> None:
    pkg, panel = tmp_path / "pkg.json", tmp_path / "panel.json"
    pkg.write_bytes(gzip.decompress((CORPUS / "packages" / "default-300.json.gz").read_bytes()))
    result = CORPUS / "results" / "default-300.corpus-a.json.gz"
    panel.write_bytes(gzip.decompress(result.read_bytes()))
    status, names = imported("verify", str(pkg), str(panel))
    assert status == 0  # the corpus panel complies: the whole verifier ran
    assert not names & {"ortools", "sqlalchemy", "pypinyin", "openpyxl", "flask"}
    assert "solver" in names


def test_verify_meeting_loads_neither_ortools_nor_sqlalchemy(tmp_path: Path) -> None:
    case = Case()
    paths = []
    for name, data in zip(("p", "r", "m"), case.files(case.honest()), strict=True):
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        paths.append(str(path))
    status, names = imported("verify-meeting", *paths)
    assert status == 0
    assert not names & {"ortools", "sqlalchemy", "pypinyin", "openpyxl", "flask"}


def test_a_database_command_still_loads_what_it_needs(tmp_path: Path) -> None:
    # The lazy imports are real imports: `year list` on an empty database reaches SQLAlchemy.
    env_db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=env_db)
    proc = subprocess.run(
        [sys.executable, "-m", "expertpool.cli", "year", "list"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # no schema yet: one line
    assert proc.stderr.count("\n") == 1, proc.stderr
