"""Shared fixtures for the solver tests (builders live in tests/builders.py, the check every
solver test ends with in tests/solver/checks.py)."""

from __future__ import annotations

import pytest

from tests.builders import expert, package


@pytest.fixture
def small_pool() -> bytes:
    experts = [expert(f"E{i}", f"U{i % 3}", "正高级" if i % 2 else "副高级") for i in range(8)]
    return package(experts, panel_size=3, rules={"alternates": 2, "max_per_unit": 1})
