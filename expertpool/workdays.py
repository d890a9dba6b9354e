"""Working days on China's official calendar, with 调休 (adjusted working days).

The 备案 deadline (大人社发〔2024〕45号 附件3 五.4: results, statistics and the written summary
reach the city bureau within 20 working days after the review) counts working days after the
meeting's last day. Years the `chinese_calendar` package covers come from it; a later year is
supplied by the bureau (its holidays and adjusted working days, stored in the database) and
passed in as `supplied`. Until then the deadline is 待定, with the reason. Nothing here reads
the wall clock: callers pass every date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

__all__ = [
    "RESULTS_WORKING_DAYS",
    "Deadline",
    "YearCalendar",
    "add_working_days",
    "covered_by_package",
    "is_workday",
    "results_deadline",
]

RESULTS_WORKING_DAYS = 20
DEADLINE_SOURCE = "大人社发〔2024〕45号 附件3 五.4：评审结束后20个工作日内报送市人社部门"


@dataclass(frozen=True)
class YearCalendar:
    """A year supplied by the bureau: its statutory holidays and adjusted working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    """A deadline, or 待定 (`day` None) with the reason."""

    day: date | None
    reason: str = ""

    @property
    def text(self) -> str:
        if self.day is None:
            return f"待定（{self.reason}）"
        return f"{self.day.year}年{self.day.month}月{self.day.day}日"  # the UI's date format


class UncoveredYear(LookupError):
    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


def covered_by_package(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: date, supplied: Mapping[int, YearCalendar] | None = None) -> bool:
    """Whether `day` is an official working day; raises UncoveredYear when nobody knows."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        year = (supplied or {}).get(day.year)
        if year is None:
            raise UncoveredYear(day.year) from None
        return year.is_workday(day)


def likely_workday(day: date) -> bool:
    """`is_workday` where the calendar knows the year, else Monday–Friday: for choosing
    plausible dates (demo history, copied deadlines), never for a legal deadline."""
    try:
        return is_workday(day)
    except UncoveredYear:
        return day.weekday() < 5


def add_working_days(
    start: date, count: int, supplied: Mapping[int, YearCalendar] | None = None
) -> date:
    """The `count`-th working day after `start` (start itself not counted)."""
    day, left = start, count
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day, supplied):
            left -= 1
    return day


def results_deadline(
    ended: date,
    supplied: Mapping[int, YearCalendar] | None = None,
    days: int = RESULTS_WORKING_DAYS,
) -> Deadline:
    """The results' 备案 deadline: `days` working days after the meeting's last day."""
    try:
        return Deadline(add_working_days(ended, days, supplied))
    except UncoveredYear as exc:
        return Deadline(
            None,
            f"{exc.year}年的法定节假日和调休安排尚未录入（系统自带日历不含该年），"
            "请市人社局在“工作日历”中录入",
        )
