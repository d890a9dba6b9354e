"""Turn the notice's coarse "10月下旬"-style periods into concrete date windows."""

from __future__ import annotations

import calendar
import re
from datetime import date

from expertpool.validators import ValidationError, echo

__all__ = ["PERIOD_FIELD", "period_deadline", "period_window"]

PERIOD_FIELD = "时间段"
_PERIOD_RE = re.compile(r"([0-9]{1,2})月([上中下])旬")


def period_window(year: int, text: str) -> tuple[date, date]:
    """ "10月下旬" in 2024 -> (2024-10-21, 2024-10-31).

    上旬 is days 1-10, 中旬 days 11-20 and 下旬 day 21 to the last day of the month.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not (1900 <= year <= 9999):
        raise ValidationError(f"年份无效：{year}", field=PERIOD_FIELD)
    raw = text.strip() if isinstance(text, str) else ""
    match = _PERIOD_RE.fullmatch(raw.replace(" ", "").replace("\u3000", ""))
    if match is None:
        raise ValidationError(
            f"无法识别的时间段“{echo(text)}”，应形如“10月下旬”", field=PERIOD_FIELD
        )
    month = int(match.group(1))
    if not 1 <= month <= 12:
        raise ValidationError(f"时间段“{echo(text)}”中的月份无效", field=PERIOD_FIELD)
    part = match.group(2)
    if part == "上":
        return date(year, month, 1), date(year, month, 10)
    if part == "中":
        return date(year, month, 11), date(year, month, 20)
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, 21), date(year, month, last_day)


def period_deadline(year: int, text: str) -> date:
    """Last day of the period, e.g. "8月下旬" in 2024 -> 2024-08-31."""
    return period_window(year, text)[1]
