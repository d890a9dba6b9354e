"""Server-side inline SVG charts: read at a glance, no JavaScript, no outside network."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW_H = 26
LABEL_W = 250
BAR_W = 520
VALUE_W = 110


def short_committee_name(name: str) -> str:
    """大连市工程系列城乡建设行业高级专业技术资格评审委员会 -> 工程系列城乡建设行业（高级）."""
    level = "高级" if "高级" in name else ("中级" if "中级" in name else "")
    text = re.sub(r"^大连市", "", name)
    text = re.sub(r"(高级|中级)?(专业技术人员|专业技术)?(资格)?评审委员会$", "", text)
    text = text.removesuffix("高级").removesuffix("中级")
    return f"{text}（{level}）" if level else text


@dataclass(frozen=True)
class Bar:
    value: float
    color: str
    title: str


@dataclass(frozen=True)
class Row:
    label: str
    bars: list[Bar]
    note: str = ""
    marker: float | None = None  # a target drawn as a vertical tick
    marker_title: str = ""
    css: str = ""  # class of the row's <g> (e.g. its status), for styling and tests


def hbar_chart(rows: list[Row], *, max_value: float, title: str, percent: bool = False) -> Markup:
    """A horizontal grouped bar chart as an <svg> element (accessible title and values)."""
    max_value = max_value or 1
    per_row = max(1, max((len(r.bars) for r in rows), default=1))
    bar_h = (ROW_H - 8) / per_row
    width = LABEL_W + BAR_W + VALUE_W
    height = len(rows) * ROW_H + 30
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    # grid lines at quarters
    for i in range(5):
        x = LABEL_W + BAR_W * i / 4
        v = max_value * i / 4
        label = f"{v * 100:.0f}%" if percent else f"{v:.0f}"
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" stroke="#d9e2ec"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#616e7c">{label}</text>'
        )
    for i, row in enumerate(rows):
        y0 = 4 + i * ROW_H
        parts.append(f'<g class="{escape(row.css)}">' if row.css else "<g>")
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y0 + ROW_H / 2 + 4:.1f}" text-anchor="end">{escape(row.label)}</text>'
        )
        for j, bar in enumerate(row.bars):
            w = BAR_W * min(bar.value, max_value) / max_value
            y = y0 + 3 + j * bar_h
            parts.append(
                f'<rect x="{LABEL_W}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{bar_h - 1:.1f}" '
                f'fill="{bar.color}"><title>{escape(bar.title)}</title></rect>'
            )
        if row.marker is not None:
            x = LABEL_W + BAR_W * min(row.marker, max_value) / max_value
            parts.append(
                f'<line x1="{x:.1f}" y1="{y0 + 1}" x2="{x:.1f}" y2="{y0 + ROW_H - 3}" stroke="#b91c1c" '
                f'stroke-width="2.5"><title>{escape(row.marker_title)}</title></line>'
            )
        if row.note:
            parts.append(
                f'<text x="{LABEL_W + BAR_W + 8}" y="{y0 + ROW_H / 2 + 4:.1f}">{escape(row.note)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
