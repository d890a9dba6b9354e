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
from expertpool.services import pool as pool_svc
from expertpool.services.shortfall import COLUMNS, report_rows, shortfall_report
from expertpool.xlsx.shortfall import shortfall_xlsx
from web.bureau.charts import Bar, Row, hbar_chart, short_committee_name

BLUE = "#1d4ed8"
ORANGE = "#f59e0b"
GREEN = "#15803d"
GREY = "#9aa5b1"


@dataclass(frozen=True)
class FilingRow:
    meeting: Meeting
    filing: mr.Filing


def filing_rows(session: Session, year: int, today: date) -> list[FilingRow]:
    """Each of the year's meetings with its 备案 state and deadline (or 待定 and why)."""
    meetings = session.scalars(select(Meeting).where(Meeting.year == year).order_by(Meeting.code))
    return [FilingRow(m, mr.filing(session, m, today)) for m in meetings]


def dashboard_context(session: Session, year: int, today: date) -> dict[str, Any]:
    report = shortfall_report(session, year)
    # A shortfall row of a committee missing from the database has no id: nothing received.
    received: dict[int | None, int] = dict(noms.nomination_counts(session, year).items())
    composition: dict[int | None, pool_svc.CommitteeComposition] = {
        c.committee_id: c for c in pool_svc.pool_composition(session, year)
    }

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

    rows_share = []
    for r in report:
        comp = composition.get(r.committee_id)
        share = comp.full_senior_share if comp else 0.0
        target = r.need_full_senior / r.need_total if r.need_total else None
        total = comp.total if comp else 0
        full = comp.full_senior if comp else 0
        color = GREEN if target is None or share >= target else ORANGE
        rows_share.append(
            Row(
                label=short_committee_name(r.committee_name),
                bars=[Bar(share, color, f"正高级 {full} / 在库 {total} 人")],
                note=f"{share * 100:.0f}%（{full}/{total}）",
                marker=target,
                marker_title=f"抽取所需正高级比例约 {target * 100:.0f}%"
                if target is not None
                else "",
            )
        )

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
        "share_chart": hbar_chart(
            rows_share, max_value=1.0, percent=True, title="各评委会在库专家中正高级所占比例"
        ),
        "colors": {"blue": BLUE, "orange": ORANGE, "green": GREEN},
        "filings": filing_rows(session, year, today),
    }


def shortfall_json(session: Session, year: int) -> str:
    """The report's rows as JSON: English keys, Chinese values, headers under `columns`."""
    report = shortfall_report(session, year)
    payload = {
        "year": year,
        "margin": report[0].margin if report else None,
        "columns": dict(COLUMNS),
        "rows": report_rows(report),
    }
    return json.dumps(payload, ensure_ascii=False)


def shortfall_workbook(session: Session, year: int) -> bytes:
    """The workbook `expertpool shortfall --xlsx` writes."""
    return shortfall_xlsx(shortfall_report(session, year), year)
