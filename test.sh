#!/usr/bin/env bash
# Install everything the tests need into .venv and run the whole suite (lint, types and the
# import contracts included).
# Uses SQLite unless DATABASE_URL points at PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2> >(grep -v '^WARNING: Location' >&2)
.venv/bin/ruff check .          # lint, with McCabe complexity at most 15 per function
.venv/bin/ruff format --check .
.venv/bin/mypy                  # strict type check of solver/, expertpool/ and web/ (pyproject)
.venv/bin/lint-imports          # the layers: web -> expertpool -> solver, no cycles (pyproject)
.venv/bin/python -m pytest "$@"
