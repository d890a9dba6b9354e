"""Season runs on disk: the exact season package bytes (by SHA-256) and each run's plan.

A run is kept between the bureau's "draw" and "store" steps, and the season package is kept
for replays of the panels stored from it (their result names its SHA-256).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from flask import current_app

_RUN_ID = re.compile(r"^[0-9]{4}-[0-9a-f]{16}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


def _dir() -> Path:
    path = Path(current_app.instance_path) / "season_runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_run(season_data: bytes, run: dict[str, Any]) -> str:
    sha = hashlib.sha256(season_data).hexdigest()
    season_file = _dir() / f"season-{sha}.json"
    if not season_file.exists():
        season_file.write_bytes(season_data)
    run = dict(run, season_sha256=sha)
    run_id = f"{run['year']}-{run['plan']['seed']}"
    (_dir() / f"run-{run_id}.json").write_text(json.dumps(run, ensure_ascii=False), "utf-8")
    return run_id


def load_run(run_id: str) -> dict[str, Any] | None:
    if not _RUN_ID.match(run_id):
        return None
    path = _dir() / f"run-{run_id}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text("utf-8"))


def list_runs() -> list[dict[str, Any]]:
    runs = []
    for path in sorted(_dir().glob("run-*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            run = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        run["id"] = path.stem[4:]
        runs.append(run)
    return runs[:20]


def load_season(sha256: str) -> bytes | None:
    """The season package with this SHA-256, if kept (used to replay season panels)."""
    if not _SHA.match(sha256 or ""):
        return None
    path = _dir() / f"season-{sha256}.json"
    if not path.exists():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == sha256 else None
