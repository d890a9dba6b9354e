"""Errors that carry a user-facing message (Chinese) instead of a traceback."""


class UserError(Exception):
    """Bad input or an impossible request; the message is shown as is, exit code 2."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
