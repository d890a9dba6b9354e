"""The work-calendar form's textareas: one date a line, a bad line named by its number before
anything reaches the service (which saves all the dates or none)."""

from __future__ import annotations

from datetime import date

from expertpool.errors import UserError
from expertpool.validators import echo


def date_lines(text: str, year: int, label: str) -> str:
    """The textarea's dates, one a line, checked; returned one a line for the service."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            day = date.fromisoformat(line)
        except ValueError:
            raise UserError(
                f"{label}第{number}行“{echo(line)}”不是日期（每行一个日期，格式为年-月-日，"
                f"如 {year}-10-01），全部未保存",
                field=label,
            ) from None
        if day.year != year:
            raise UserError(
                f"{label}第{number}行“{echo(line)}”不在{year}年，全部未保存", field=label
            )
        out.append(day.isoformat())
    return "\n".join(out)
