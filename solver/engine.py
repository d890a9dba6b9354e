"""Public entry points: draw, verify, replace (bytes in, plain dicts out). A facade only."""

from __future__ import annotations

from typing import Any

from solver.alternates import alternates_for
from solver.draw import draw_package
from solver.model import ENGINE, solver_info
from solver.package import parse_package
from solver.replace import replace_members
from solver.verify import Report, verify_panel

__all__ = [
    "ENGINE",
    "alternates_for",
    "draw",
    "draw_package",
    "replace",
    "solver_info",
    "verify",
]


def draw(package_bytes: bytes, seed: str, workers: int = 1) -> dict[str, Any]:
    """Draw a panel: the `expertpool.panel/1` dict. Raises PackageError on bad input."""
    return draw_package(parse_package(package_bytes), seed, workers)


def verify(package_bytes: bytes, panel_bytes: bytes) -> Report:
    """Rule-by-rule report from the independent checks (no CP-SAT involved)."""
    return verify_panel(package_bytes, panel_bytes)


# The replacement of solver/replace.py under the facade's name.
replace = replace_members
