"""Shared fixtures and checks for the solver tests (builders live in builders.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from solver.engine import verify
from tests.solver.builders import expert, package


def assert_independently_valid(package_bytes: bytes, result: dict[str, Any]) -> None:
    """Every solver test ends here: the independent checks must agree with the result."""
    report = verify(package_bytes, json.dumps(result, ensure_ascii=False).encode())
    if result["status"] == "drawn":
        assert report.ok, report.text()
    else:
        assert result["members"] == [] and result["alternates"] == []
        assert result["diagnosis"], "an infeasible result must carry a diagnosis"


@pytest.fixture
def small_pool() -> bytes:
    experts = [expert(f"E{i}", f"U{i % 3}", "正高级" if i % 2 else "副高级") for i in range(8)]
    return package(experts, panel_size=3, rules={"alternates": 2, "max_per_unit": 1})
