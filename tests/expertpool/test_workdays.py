"""The 备案 deadline on the official calendar with 调休 (expertpool/workdays.py)."""

from __future__ import annotations

from datetime import date

from expertpool.workdays import (
    YearCalendar,
    add_working_days,
    covered_by_package,
    is_workday,
    results_deadline,
)


def test_deadline_after_national_day_2024_counts_the_adjusted_days() -> None:
    # 2024 official schedule (国办发明电〔2023〕7号): 国庆节 10月1日至7日放假，9月29日（周日）、
    # 10月12日（周六）上班. Counting after Fri 27 Sep: 29 Sep (1), 30 Sep (2), 8–11 Oct (3–6),
    # Sat 12 Oct (7), 14–18 Oct (8–12), 21–25 Oct (13–17), 28, 29, 30 Oct (18–20).
    assert is_workday(date(2024, 9, 29)) and is_workday(date(2024, 10, 12))
    assert not is_workday(date(2024, 10, 7)) and not is_workday(date(2024, 9, 28))
    deadline = results_deadline(date(2024, 9, 27))
    assert deadline.day == date(2024, 10, 30)
    assert deadline.text == "2024年10月30日"


def test_an_uncovered_year_is_pending_until_the_bureau_enters_it() -> None:
    year = 2031
    assert not covered_by_package(year)
    pending = results_deadline(date(year, 11, 28))
    assert pending.day is None
    assert "待定" in pending.text and f"{year}年" in pending.text
    supplied = {
        year: YearCalendar(
            year,
            holidays=frozenset({date(year, 12, 1), date(year, 12, 2)}),  # Mon, Tue
            workdays=frozenset({date(year, 11, 29)}),  # Sat
        )
    }
    # 28 Nov is a Friday. 29 Nov (Sat, adjusted) 1; Mon 1–Tue 2 Dec off; 3–5 Dec 2–4;
    # 8–12 Dec 5–9; 15–19 Dec 10–14; 22–26 Dec 15–19; Mon 29 Dec the 20th
    assert add_working_days(date(year, 11, 28), 1, supplied) == date(year, 11, 29)
    assert results_deadline(date(year, 11, 28), supplied).day == date(year, 12, 29)


def test_likely_workday_uses_the_calendar_then_falls_back_to_weekdays() -> None:
    from expertpool.workdays import likely_workday

    assert not likely_workday(date(2024, 10, 1))  # National Day, a Tuesday
    assert likely_workday(date(2024, 10, 12))  # a Saturday made a working day (调休)
    assert likely_workday(date(2099, 3, 2)) and not likely_workday(date(2099, 3, 1))
