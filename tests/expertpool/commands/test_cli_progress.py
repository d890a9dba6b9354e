"""`expertpool season` and `expertpool draw` show progress on stderr only when stderr is a
terminal (a pty here) and not --quiet; stdout and -o are the same bytes either way (but for
the solver's own `seconds`, which differs from run to run by design)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import expert, package, three_meeting_season

ROOT = Path(__file__).resolve().parents[3]
SECONDS = re.compile(rb'"seconds": [0-9.e-]+')


def _season() -> bytes:
    return three_meeting_season()


def _package() -> bytes:
    return package([expert(f"E{i:02d}", unit=f"U{i % 4}") for i in range(12)])


def _run(args: list[str], *, tty: bool) -> tuple[bytes, bytes]:
    """(stdout, stderr) of the command; stderr is a pty when `tty`."""
    cmd = [sys.executable, "-m", "expertpool.cli", *args]
    if not tty:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120, check=False)
        return done.stdout, done.stderr
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        err = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the pty is closed once the command has exited
                break
            if not chunk:
                break
            err += chunk
        out = proc.stdout.read() if proc.stdout else b""
        proc.wait(timeout=120)
        if proc.stdout:
            proc.stdout.close()
        return out, err
    finally:
        os.close(leader)


def _same(a: bytes, b: bytes) -> bool:
    return SECONDS.sub(b"", a) == SECONDS.sub(b"", b)


@pytest.mark.parametrize("command", ["season", "draw"])
def test_progress_only_on_a_terminal_and_results_unchanged(command: str, tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_bytes(_season() if command == "season" else _package())
    args = [command, str(src), "--seed", "s1"]
    quiet_out, quiet_err = _run(args, tty=False)
    assert quiet_err == b"" and quiet_out.startswith(b"{")
    tty_out, tty_err = _run(args, tty=True)
    assert _same(tty_out, quiet_out)
    shown = tty_err.decode("utf-8")
    assert "\r" in shown
    assert (
        ("个席位" in shown and "个例会已满" in shown)
        if command == "season"
        else "正在抽取" in shown
    )
    assert shown.endswith("\r")  # the line is cleared: nothing left half-written
    silenced_out, silenced_err = _run([*args, "--quiet"], tty=True)
    assert silenced_err == b"" and _same(silenced_out, quiet_out)
    # -o: the file holds what stdout held.
    _run([*args, "-o", str(tmp_path / "out.json")], tty=True)
    assert _same((tmp_path / "out.json").read_bytes(), quiet_out)
