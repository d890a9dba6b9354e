"""Errors raised by the solver package."""

from __future__ import annotations


class PackageError(ValueError):
    """Bad input: the message is one Chinese line naming the offending field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class SolverFailure(RuntimeError):
    """CP-SAT returned neither a solution nor a proof (should never happen: no time limits)."""
