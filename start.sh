#!/usr/bin/env bash
# Install into .venv, create the SQLite database with the 2024 catalogue and the demo pool,
# and start the web admin. Usage: ./start.sh [--port 5000]
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e . 2> >(grep -v '^WARNING: Location' >&2)
export EXPERTPOOL_INSTANCE="${EXPERTPOOL_INSTANCE:-$PWD/instance}"
.venv/bin/expertpool init
.venv/bin/expertpool demo --if-empty
# One background worker next to the server (season runs are drawn there, not in a request);
# it stops when the server stops, however the server ends.
.venv/bin/expertpool worker --quiet &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true' EXIT
.venv/bin/expertpool serve "$@"
