"""The install step ./test.sh and .ci/run share (.ci/system-packages): given which Debian
packages are present (a dpkg database of the test's making, read by the real dpkg-query) and
who runs it, it plans the right thing; --plan installs nothing. And `./test.sh -q` still ends
with pytest's closing line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STEP = ROOT / ".ci" / "system-packages"
ALL = ["postgresql", "chromium", "fonts-noto-cjk"]

pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="需要 dpkg-query")


def _admindir(tmp_path: Path, states: dict[str, str]) -> Path:
    """A dpkg database holding `states` (package -> dpkg status)."""
    stanzas = [
        f"Package: {name}\nStatus: {status}\nVersion: 1\nArchitecture: all\n"
        "Maintainer: t <t@example.org>\nDescription: t\n"
        for name, status in states.items()
    ]
    (tmp_path / "status").write_text("\n".join(stanzas) + "\n", encoding="utf-8")
    return tmp_path


def _plan(admindir: Path, uid: int, *pkgs: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DPKG_ADMINDIR=str(admindir), INSTALL_AS_UID=str(uid))
    return subprocess.run(
        [str(STEP), "--plan", *pkgs], env=env, capture_output=True, text=True, timeout=60
    )


INSTALLED = "install ok installed"


def test_nothing_to_do_when_every_package_is_present(tmp_path: Path) -> None:
    adm = _admindir(tmp_path, dict.fromkeys(ALL, INSTALLED))
    done = _plan(adm, 0, *ALL)
    assert done.returncode == 0
    assert done.stdout == "系统软件包已齐全：postgresql chromium fonts-noto-cjk\n"


def test_root_installs_only_what_is_missing(tmp_path: Path) -> None:
    # fonts removed but not purged: its status entry is still there, and does not count.
    adm = _admindir(
        tmp_path, {"postgresql": INSTALLED, "fonts-noto-cjk": "deinstall ok config-files"}
    )
    done = _plan(adm, 0, *ALL)
    assert done.returncode == 0
    assert done.stdout == "安装系统软件包：chromium fonts-noto-cjk（apt-get）\n"


def test_without_root_one_line_says_what_to_install(tmp_path: Path) -> None:
    adm = _admindir(tmp_path, {"fonts-noto-cjk": INSTALLED})
    done = _plan(adm, 1000, "chromium", "fonts-noto-cjk")
    assert done.returncode == 1
    assert (
        done.stdout == "缺少系统软件包：chromium（请以 root 运行：apt-get install -y chromium）\n"
    )
    assert done.stderr == ""


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    adm = _admindir(tmp_path, {})
    assert _plan(adm, 0).returncode == 2
    assert _plan(adm, 0, "--now", "chromium").returncode == 2


def test_both_commands_use_the_shared_step() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_sh = (ROOT / "test.sh").read_text(encoding="utf-8")
    assert ".ci/system-packages postgresql chromium fonts-noto-cjk" in ci
    assert "apt-get" not in ci  # installing is the shared step's job only
    assert ".ci/system-packages --plan chromium fonts-noto-cjk" in test_sh
    assert os.access(STEP, os.X_OK)


def test_test_sh_skips_the_browser_tests_with_one_line_when_it_cannot_install(
    tmp_path: Path,
) -> None:
    """test.sh's own browser step, run as a non-root user on a machine without chromium
    (a dpkg database that lacks it): one line, and the browser tests are switched off."""
    text = (ROOT / "test.sh").read_text(encoding="utf-8")
    step = text[text.index("browser_packages() {") : text.index(".venv/bin/ruff check")]
    script = f'set -euo pipefail\ncd "{ROOT}"\n{step}\necho "skip=${{EXPERTPOOL_SKIP_BROWSER:-}}"'
    env = {k: v for k, v in os.environ.items() if k != "EXPERTPOOL_SKIP_BROWSER"} | {
        "DPKG_ADMINDIR": str(_admindir(tmp_path, {})),
        "INSTALL_AS_UID": "1000",
    }
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    line, skip = done.stdout.splitlines()
    assert line.startswith("缺少系统软件包：chromium fonts-noto-cjk") and "跳过浏览器测试" in line
    assert skip == "skip=1"


@pytest.mark.parametrize("flags", [["-q"], ["-qq"]])
def test_quiet_flags_keep_the_closing_line(flags: list[str]) -> None:
    target = "tests/test_readme_commands.py::test_readme_shows_the_known_entry_points"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *flags, target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert re.search(r"^1 passed in [0-9.]+s$", done.stdout.strip().splitlines()[-1])
