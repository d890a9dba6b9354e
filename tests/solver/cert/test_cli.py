"""`draw --certificate`, `certify`, `verify --certificate` (exit codes of §6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from expertpool.cli import main
from tests.regression.corpus import HERE, read_gz

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "p.json").write_bytes(read_gz(HERE / "packages" / "cap-2-500.json.gz"))
    return tmp_path


def test_draw_certify_verify(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p, r, c = files / "p.json", files / "r.json", files / "c.json"
    assert (
        main(["draw", str(p), "--seed", "cli", "-o", str(r), "--certificate", str(c), "--quiet"])
        == 0
    )
    assert json.loads(c.read_text(encoding="utf-8"))["format"] == "expertpool.certificate/1"
    assert main(["certify", str(p), str(r), "-o", str(files / "c2.json")]) == 0
    assert (files / "c2.json").read_bytes() == c.read_bytes()
    capsys.readouterr()
    assert main(["verify", str(p), str(r), "--certificate", str(c)]) == 0
    assert "抽取证明：已证明" in capsys.readouterr().out
    members = json.loads(r.read_text(encoding="utf-8"))["members"]
    n = files / "n.json"
    assert main(["replace", str(p), str(r), "--declined", ",".join(members[:7]), "-o", str(n)]) == 0
    assert main(["verify", str(p), str(n), "--certificate", str(c)]) == 1  # the old one
    assert main(["certify", str(p), str(n), "-o", str(files / "c3.json")]) == 0
    assert main(["verify", str(p), str(n), "--certificate", str(files / "c3.json")]) == 0
    cert = json.loads(c.read_text(encoding="utf-8"))
    cert["proofs"][0] = {"farkas": [[["no_such_rule"], 1]]}
    c.write_text(json.dumps(cert), encoding="utf-8")
    assert main(["verify", str(p), str(r), "--certificate", str(c)]) == 2
    c.write_text("not json", encoding="utf-8")
    assert main(["verify", str(p), str(r), "--certificate", str(c)]) == 2
    assert main(["certify", str(p), str(files / "missing.json")]) == 2


def test_the_certificate_check_of_verify_loads_no_solver(files: Path) -> None:
    """What `verify --certificate` adds loads no solver. (The `expertpool verify` command as a
    whole still loads OR-Tools through expertpool.services at start; the lazy-import work on
    the commands removes that.)"""
    p, r, c = files / "p.json", files / "r.json", files / "c.json"
    assert (
        main(["draw", str(p), "--seed", "x", "-o", str(r), "--certificate", str(c), "--quiet"]) == 0
    )
    code = (
        "import sys; from pathlib import Path; "
        "from expertpool.commands.certify import certificate_verdict; "
        "from solver.verify import verify_panel; "
        f"a, b = Path({str(p)!r}).read_bytes(), Path({str(r)!r}).read_bytes(); "
        "assert verify_panel(a, b).ok; "
        f"rc = certificate_verdict(a, b, {str(c)!r}); "
        "assert 'ortools' not in sys.modules, 'ortools loaded'; sys.exit(rc)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
