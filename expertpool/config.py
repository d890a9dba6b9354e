"""Where the data lives: DATABASE_URL, or a SQLite file in the instance folder."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_INSTANCE = Path.cwd() / "instance"


def instance_path() -> Path:
    return Path(os.environ.get("EXPERTPOOL_INSTANCE", str(DEFAULT_INSTANCE))).resolve()


def database_url(explicit: str | None = None) -> str:
    """The configured database: an explicit URL, then $DATABASE_URL, then instance/expertpool.sqlite."""
    url = explicit or os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs and the bare driver name both mean psycopg 3 here.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{instance_path() / 'expertpool.sqlite'}"
