"""Errors raised by the solver package, and the base of every error shown to a user as is."""

from __future__ import annotations


class MessageError(Exception):
    """An error whose message is one Chinese line shown as is (no traceback), optionally
    naming the offending input field. The base of `PackageError` here and of the
    application's `expertpool.errors.UserError`."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class PackageError(MessageError, ValueError):
    """Bad input: the message is one Chinese line naming the offending field."""


class SolverFailure(RuntimeError):
    """CP-SAT returned neither a solution nor a proof (should never happen: no time limits)."""
