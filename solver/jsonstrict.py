"""Strict JSON for documents from outside: a key repeated in one object is refused, and the
input is bounded in size before it is parsed.

Python's `json` keeps the last of two equal keys, so `{"seed": "a", "seed": "b"}` would mean
one thing to this system and possibly another to a different reader; a verifier must refuse
such a file rather than pick one. Standard library only: the verifier, the meeting checker
and the certificate checker import it without the engine (no OR-Tools, no SQLAlchemy).

    from solver.jsonstrict import DuplicateKeyError, loads_strict, read_capped, MAX_JSON_BYTES
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# The largest JSON document any reader takes (package, panel, season, plan, meeting record,
# certificate): far above a real year's season file (a few MB), and small enough that parsing
# it cannot take the memory of the machine (json needs ~30 bytes of memory per byte of input).
MAX_JSON_BYTES = 20 * 1024 * 1024


class DuplicateKeyError(ValueError):
    """One object of the document names `key` twice."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


class TooLargeError(ValueError):
    """The input is longer than the `limit` bytes allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"input longer than {limit} bytes")
        self.limit = limit


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKeyError(key)
        obj[key] = value
    return obj


def loads_strict(text: str | bytes) -> Any:
    """`json.loads` that raises `DuplicateKeyError` for a repeated key (anywhere in the
    document); every other error is json's own (`JSONDecodeError`, `RecursionError`,
    `ValueError` for an over-long integer)."""
    return json.loads(text, object_pairs_hook=_unique_object)


def size_text(limit: int) -> str:
    """A byte limit as the pages and messages write it: "20 MB", "512 KB"."""
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    return f"{limit // 1024} KB"


def read_capped(path: str | Path, limit: int = MAX_JSON_BYTES) -> bytes:
    """The file's bytes, reading at most `limit` + 1 of them: a longer file raises
    `TooLargeError` without being read whole. OSError as `open` raises it."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(limit)
    return data
