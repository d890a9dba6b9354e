"""The checker runs with nothing but Python: a bare virtual environment, no packages."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.solver.cert.helpers import certified, corpus, one, panel_bytes

ROOT = Path(__file__).resolve().parents[3]
CHECKER = ROOT / "solver" / "certcheck"


def _run(python: Path, *args: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "PYTHONNOUSERSITE": "1"}
    return subprocess.run(
        [str(python), "-m", "solver.certcheck", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=args[0].parent,
        check=False,
        timeout=120,
    )


def test_checker_in_a_bare_venv(tmp_path: Path) -> None:
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import numpy"], capture_output=True, check=False)
    assert probe.returncode != 0  # nothing but the standard library here
    data, panel = corpus("cap-2-500", "corpus-a")
    cert = one(certified(data, panel))
    pkg_file, panel_file, cert_file = tmp_path / "p.json", tmp_path / "r.json", tmp_path / "c.json"
    pkg_file.write_bytes(data)
    panel_file.write_bytes(panel_bytes(panel))
    cert_file.write_text(json.dumps(cert), encoding="utf-8")
    ok = _run(python, pkg_file, panel_file, cert_file)
    assert ok.returncode == 0, ok.stderr
    assert "已证明" in ok.stdout
    cert["rejections"].pop()
    cert_file.write_text(json.dumps(cert), encoding="utf-8")
    bad = _run(python, pkg_file, panel_file, cert_file)
    assert bad.returncode == 1 and "未证明" in bad.stdout
    cert_file.write_text("[]", encoding="utf-8")
    assert _run(python, pkg_file, panel_file, cert_file).returncode == 2


def test_checker_imports_only_the_standard_library_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    files = sorted(CHECKER.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in allowed or name.startswith("solver.certcheck"), (path.name, name)
