"""Every project command the README shows runs as written, from the project folder.

The commands are taken from the README itself (fenced code blocks and inline code), so a
command added or renamed there is checked without touching this test. Each is run with
`--help` (nothing is changed, no server is started); the shell scripts are checked for
syntax and the executable bit, since running them installs and serves.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
VENV_BIN = Path(sys.executable).parent

FENCE_RE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE_RE = re.compile(r"`([^`\n]+)`")
# `expertpool SUB [SUB2]`, optionally as `.venv/bin/expertpool`; subcommand words are lower
# case and end at a space (so `s01.json`, `NAME`, `[--seed` end the command name).
CLI_RE = re.compile(r"(?:^|(?<=[\s(]))(?:\.venv/bin/)?expertpool((?: [a-z][a-z-]*(?=\s|$))*)")
BENCH_SCRIPT_RE = re.compile(r"\.venv/bin/python (bench/[\w/]+\.py)")
BENCH_MODULE_RE = re.compile(r"\.venv/bin/python -m (bench\.[\w.]+)")
SCRIPT_RE = re.compile(r"(?:^|(?<=\s))\./(start|test)\.sh\b")


def readme_code() -> list[str]:
    """Every line of code the README shows: fenced blocks and inline code spans."""
    text = README.read_text(encoding="utf-8")
    lines = [line for block in FENCE_RE.findall(text) for line in block.splitlines()]
    prose = FENCE_RE.sub("", text)
    return lines + INLINE_RE.findall(prose)


def commands() -> list[tuple[str, ...]]:
    """The `--help` invocations of every entry point the README shows, deduplicated."""
    found: dict[tuple[str, ...], None] = {}
    for line in readme_code():
        for words in CLI_RE.findall(line):
            found[("expertpool", *words.split(), "--help")] = None
        for script in BENCH_SCRIPT_RE.findall(line):
            found[("python", script, "--help")] = None
        for module in BENCH_MODULE_RE.findall(line):
            found[("python", "-m", module, "--help")] = None
    return list(found)


def shell_scripts() -> list[str]:
    return sorted({f"{m}.sh" for line in readme_code() for m in SCRIPT_RE.findall(line)})


def test_readme_shows_the_known_entry_points() -> None:
    # Guards the extraction itself: a broken pattern must not make the checks below vacuous.
    found = commands()
    assert ("python", "bench/load_nominations.py", "--help") in found
    assert ("python", "bench/bench_draw.py", "--help") in found
    assert ("python", "-m", "bench.bench_season", "--help") in found
    assert ("expertpool", "user", "add", "--help") in found
    assert ("expertpool", "restore", "--help") in found
    assert sum(1 for c in found if c[0] == "expertpool") >= 16
    assert shell_scripts() == ["start.sh", "test.sh"]


@pytest.mark.parametrize("argv", commands(), ids=" ".join)
def test_readme_command_runs(argv: tuple[str, ...]) -> None:
    program = str(VENV_BIN / argv[0])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
    done = subprocess.run(
        [program, *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage" in done.stdout.lower() or "用法" in done.stdout


@pytest.mark.parametrize("name", shell_scripts())
def test_readme_shell_script_is_runnable(name: str) -> None:
    path = ROOT / name
    assert os.access(path, os.X_OK), f"{name} is not executable"
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
