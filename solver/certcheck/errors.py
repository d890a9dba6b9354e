"""The checker's two outcomes besides a pass: bad input (exit 2) and a failed check (exit 1)."""

from __future__ import annotations


class BadInput(Exception):
    """Exit 2: a file that cannot be read as the contract says (one Chinese line)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Failed(Exception):
    """Exit 1: the files are well formed but the certificate does not prove the panel."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
