"""Figures for the bureau dashboard, turned into inline SVG charts, and the shortfall
report's JSON and xlsx downloads."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.models import Meeting
from expertpool.services import meeting_record as mr
from expertpool.services import nominations as noms
from expertpool.services.shortfall import (
    COLUMNS,
    CommitteeShortfall,
    report_rows,
    shortfall_report,
)
from expertpool.xlsx.shortfall import shortfall_xlsx
from web.bureau.charts import Bar, Row, hbar_chart, short_committee_name

BLUE = "#1d4ed8"
ORANGE = "#f59e0b"
GREEN = "#15803d"
GREY = "#9aa5b1"
DARK_GREEN = "#0e7490"  # teal: 正高级 covered, told apart from the green total
RED = "#b91c1c"


@dataclass(frozen=True)
class FilingRow:
    meeting: Meeting
    filing: mr.Filing


def filing_rows(session: Session, year: int, today: date) -> list[FilingRow]:
    """Each of the year's meetings with its 备案 state and deadline (or 待定 and why)."""
    meetings = session.scalars(select(Meeting).where(Meeting.year == year).order_by(Meeting.code))
    return [FilingRow(m, mr.filing(session, m, today)) for m in meetings]


SUPPLY_CAP = 2.0  # the chart's scale ends at twice the need; more is drawn full length


def _coverage(usable: int, need: int) -> float:
    return usable / need if need else 1.0


def supply_rows(report: list[CommitteeShortfall]) -> list[Row]:
    """Per committee, on the 缺口清单's basis: what a draw can use (all, and 正高级) as a share
    of what the target needs, a tick at 100 %, and the list's verdict. A row is marked short
    (class "short") exactly when the committee is on the 缺口清单 (anything to recruit: also a
    specialty, unit kind or voter base), so the chart and the list never disagree."""
    rows = []
    for r in report:
        total = _coverage(r.usable_total, r.need_total)
        full = _coverage(r.usable_full_senior, r.need_full_senior)
        short = r.recruit_total > 0
        if not short:
            note = "够用"
        elif r.recruit_full_senior:
            note = f"缺{r.recruit_total}人（正高级{r.recruit_full_senior}）"
        else:
            note = f"缺{r.recruit_total}人"
        rows.append(
            Row(
                label=short_committee_name(r.committee_name),
                bars=[
                    Bar(
                        total,
                        GREEN if total >= 1 else ORANGE,
                        f"可用专家 {r.usable_total} 人 / 所需 {r.need_total} 人",
                    ),
                    Bar(
                        full,
                        DARK_GREEN if full >= 1 else RED,
                        f"可用正高级 {r.usable_full_senior} 人 / 所需 {r.need_full_senior} 人",
                    ),
                ],
                note=note,
                marker=1.0,
                marker_title="所需人数（100%）",
                css="short" if short else "enough",
            )
        )
    return rows


def dashboard_context(session: Session, year: int, today: date) -> dict[str, Any]:
    report = shortfall_report(session, year, today=today)
    # A shortfall row of a committee missing from the database has no id: nothing received.
    received: dict[int | None, int] = dict(noms.nomination_counts(session, year).items())

    rows_need = []
    for r in report:
        got = received.get(r.committee_id, 0)
        rows_need.append(
            Row(
                label=short_committee_name(r.committee_name),
                bars=[
                    Bar(got, BLUE, f"收到推荐 {got} 人"),
                    Bar(
                        r.recruit_total,
                        ORANGE,
                        f"尚需征集 {r.recruit_total} 人（其中正高级 {r.recruit_full_senior} 人）",
                    ),
                ],
                note=f"{got} / 需 {r.recruit_total}",
            )
        )
    top = max([1] + [max(b.value for b in row.bars) for row in rows_need])
    max_need = math.ceil(top / 20) * 20  # quarters on round numbers

    rows_supply = supply_rows(report)

    shortfall = sorted(
        (r for r in report if r.recruit_total > 0),
        key=lambda r: (-r.recruit_full_senior, -r.recruit_total, r.meeting_code),
    )
    total_received = sum(received.values())
    return {
        "year": year,
        "report": report,
        "shortfall": shortfall,
        "short_name": short_committee_name,
        "received": received,
        "status_counts": noms.status_counts(session, year),
        "total_received": total_received,
        "total_recruit": sum(r.recruit_total for r in report),
        "total_recruit_full": sum(r.recruit_full_senior for r in report),
        "need_chart": hbar_chart(
            rows_need, max_value=max_need, title=f"{year}年各评委会收到的推荐与尚需征集人数"
        ),
        "supply_chart": hbar_chart(
            rows_supply,
            max_value=SUPPLY_CAP,
            percent=True,
            title="各评委会一次抽取可用的专家与所需人数之比",
        ),
        "colors": {"blue": BLUE, "orange": ORANGE, "green": GREEN},
        "supply_cap": SUPPLY_CAP,
        "filings": filing_rows(session, year, today),
    }


def shortfall_json(session: Session, year: int, today: date | None = None) -> str:
    """The report's rows as JSON: English keys, Chinese values, headers under `columns`."""
    report = shortfall_report(session, year, today=today)
    payload = {
        "year": year,
        "margin": report[0].margin if report else None,
        "columns": dict(COLUMNS),
        "rows": report_rows(report),
    }
    return json.dumps(payload, ensure_ascii=False)


def shortfall_workbook(session: Session, year: int, today: date | None = None) -> bytes:
    """The workbook `expertpool shortfall --xlsx` writes."""
    return shortfall_xlsx(shortfall_report(session, year, today=today), year)
