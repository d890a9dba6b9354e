"""Errors that carry a user-facing message (Chinese) instead of a traceback."""

from __future__ import annotations

from collections.abc import Mapping

from solver.errors import MessageError


class UserError(MessageError):
    """Bad input or an impossible request; the message is shown as is, exit code 2.

    Not a `PackageError`: the application's errors and the solver's stay apart (a handler
    of one never catches the other); they share only how message and field are kept."""


class BadRows(UserError):
    """A bulk import with bad rows: nothing was imported. ``problems``: (row number, column
    key, message); ``labels`` names a key in the messages (a key without one is shown as is)."""

    labels: Mapping[str, str] = {}

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        rows = len({p[0] for p in problems})
        super().__init__(f"共有{rows}行数据有错误，全部未导入，请修改后重新上传")

    def lines(self) -> list[str]:
        return [
            f"第{row}行「{self.labels.get(key, key)}」：{msg}" for row, key, msg in self.problems
        ]
