"""Chinese date and time formats (Jinja filters, also used by the xlsx exports)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from expertpool.services.nominations import SHANGHAI


def cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def bj_datetime(value: datetime | None, seconds: bool = False) -> str:
    """A stored UTC time (panels, audit events) shown in Beijing time, Chinese format.

    Only for naive UTC values from the database; `now()` is already Beijing time and
    goes through `cn_datetime`.
    """
    if value is None:
        return ""
    local = value.replace(tzinfo=UTC).astimezone(SHANGHAI).replace(tzinfo=None)
    return cn_datetime(local, seconds)


def cn_datetime(value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    return f"{cn_date(value)} {value:%H:%M:%S}" if seconds else f"{cn_date(value)} {value:%H:%M}"
