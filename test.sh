#!/usr/bin/env bash
# Install everything the tests need into .venv and run the whole suite (lint, types and the
# import contracts included).
# Uses SQLite unless DATABASE_URL points at PostgreSQL. Extra arguments go to pytest, and
# whatever they are the run ends with pytest's closing "N passed" line (tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2> >(grep -v '^WARNING: Location' >&2)
# The browser tests drive Debian's chromium (with the CJK fonts): installed here when run as
# root, as .ci/run does (one shared step, .ci/system-packages); otherwise one line says what
# to install, and without chromium the browser tests are skipped.
browser_packages() {
  local plan
  if plan=$(.ci/system-packages --plan chromium fonts-noto-cjk); then
    case "$plan" in 安装*) .ci/system-packages chromium fonts-noto-cjk ;; esac
  elif .ci/system-packages --plan chromium >/dev/null; then
    echo "$plan"  # chromium is there: the browser tests run, without the CJK fonts
  else
    echo "$plan；本次跳过浏览器测试"
    export EXPERTPOOL_SKIP_BROWSER=1
  fi
}
if [ "${EXPERTPOOL_SKIP_BROWSER:-}" != 1 ]; then
  browser_packages
fi
.venv/bin/ruff check .          # lint, with McCabe complexity at most 15 per function
.venv/bin/ruff format --check .
.venv/bin/mypy                  # strict type check of solver/, expertpool/ and web/ (pyproject)
.venv/bin/lint-imports          # the layers: web -> expertpool -> solver, no cycles (pyproject)
.venv/bin/python -m pytest "$@"
