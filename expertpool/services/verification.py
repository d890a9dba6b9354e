"""Offline verification of any draw package and result file (the regulator's upload).

Nothing is read from or written to the database: the two files are checked rule by rule
by the solver's independent verifier (no CP-SAT involved).
"""

from __future__ import annotations

from expertpool.errors import UserError
from solver.engine import verify
from solver.errors import PackageError
from solver.verify import Report

__all__ = ["NOT_A_DRAW_FILE", "Report", "UnverifiableError", "verify_files"]

NOT_A_DRAW_FILE = "文件不是有效的抽取数据包或抽取结果（expertpool.draw/1、expertpool.panel/1）"


class UnverifiableError(UserError):
    """The files cannot be verified at all; the message says why (Chinese, one line)."""


def verify_files(package: bytes, result: bytes) -> Report:
    """The rule-by-rule report for a draw package and its result file (draw-format.md).

    Raises `UnverifiableError` when either file is not a usable package or result.
    """
    try:
        return verify(package, result)
    except PackageError as exc:
        raise UnverifiableError(exc.message) from exc
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UnverifiableError(NOT_A_DRAW_FILE) from exc
