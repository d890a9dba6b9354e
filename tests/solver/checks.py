"""The check every solver test ends with."""

from __future__ import annotations

import json
from typing import Any

from solver.engine import verify


def assert_independently_valid(package_bytes: bytes, result: dict[str, Any]) -> None:
    """Every solver test ends here: the independent checks must agree with the result."""
    report = verify(package_bytes, json.dumps(result, ensure_ascii=False).encode())
    if result["status"] == "drawn":
        assert report.ok, report.text()
    else:
        assert result["members"] == [] and result["alternates"] == []
        assert result["diagnosis"], "an infeasible result must carry a diagnosis"
