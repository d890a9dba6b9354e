"""Integers from URLs, query strings and forms, bounded to what the database can hold.

A 20-digit id must be a 404 or "no filter", never an OverflowError (SQLite) or a DataError
(PostgreSQL) surfacing as a 500.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit INTEGER on PostgreSQL.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def to_int(text: Any, lo: int = 1, hi: int = MAX_ID) -> int | None:
    """ASCII digits within [lo, hi], else None (so '²', '1e3' and ' 7' are refused too)."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if lo <= value <= hi else None


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` URL parts above MAX_ID do not match, so the request is a plain 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
