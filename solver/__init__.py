"""The panel-draw engine and its independent verifier (draw-format.md).

Public API (loaded on first use, so that importing the verifier never loads ortools):

    from solver import draw_panel, replace_members, verify_panel, plan, verify_plan
    from solver import parse_package, parse_season, canonical_bytes, PackageError, registry

`draw_panel`, `replace_members` and `plan` run CP-SAT (bytes in, result dicts out);
`verify_panel` and `verify_plan` are plain Python. (The names differ from the modules
solver/draw.py and solver/verify.py, which a package attribute would otherwise shadow.)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from solver import registry
    from solver.contract import canonical_bytes
    from solver.engine import draw as draw_panel
    from solver.engine import replace as replace_members
    from solver.errors import PackageError, SolverFailure
    from solver.package import parse_package
    from solver.season.package import parse_season
    from solver.season.plan import plan
    from solver.season.verify import verify_plan
    from solver.verify import verify_panel

__all__ = [
    "PackageError",
    "SolverFailure",
    "canonical_bytes",
    "draw_panel",
    "parse_package",
    "parse_season",
    "plan",
    "registry",
    "replace_members",
    "verify_panel",
    "verify_plan",
]

_EXPORTS: dict[str, tuple[str, str]] = {
    "draw_panel": ("solver.engine", "draw"),
    "replace_members": ("solver.engine", "replace"),
    "verify_panel": ("solver.verify", "verify_panel"),
    "plan": ("solver.season.plan", "plan"),
    "verify_plan": ("solver.season.verify", "verify_plan"),
    "parse_package": ("solver.package", "parse_package"),
    "parse_season": ("solver.season.package", "parse_season"),
    "canonical_bytes": ("solver.contract", "canonical_bytes"),
    "PackageError": ("solver.errors", "PackageError"),
    "SolverFailure": ("solver.errors", "SolverFailure"),
}


def __getattr__(name: str) -> Any:
    if name == "registry":
        return importlib.import_module("solver.registry")
    if name in _EXPORTS:
        module, attr = _EXPORTS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'solver' has no attribute {name!r}")
