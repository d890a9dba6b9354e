"""The baseline the season plan is compared with: meetings drawn one after another in catalogue
order, each by the single-meeting engine, with the experts already booked taken out."""

from __future__ import annotations

import json
from collections import defaultdict

from solver.engine import draw_package
from solver.package import parse_package
from solver.season.package import Season


def catalogue_order(season: Season) -> list:
    return sorted(season.meetings, key=lambda m: (m.id[5], int(m.id[6:])))  # S01…S24, M01…M06


def draw_sequentially(season: Season, seed: str, *, aware: bool = True) -> dict[str, dict]:
    """aware=True: booked experts are unavailable to later overlapping meetings and past the cap;
    aware=False: every meeting is drawn on its own (double bookings are counted afterwards)."""
    booked: dict[str, list] = defaultdict(list)
    panels = {}
    for m in catalogue_order(season):
        doc = json.loads(m.projection)
        if aware:
            for e in doc["experts"]:
                mine = booked.get(e["id"], [])
                clash = any(o.overlaps(m) for o in mine)
                full = season.max_panels is not None and len(mine) >= season.max_panels
                if clash or full:
                    e["available"] = False
        pkg = parse_package(json.dumps(doc, ensure_ascii=False).encode())
        result = draw_package(pkg, seed, 1)
        panels[m.id] = result
        for e in result["members"]:
            booked[e].append(m)
    return panels


def double_booked(season: Season, panels: dict[str, dict]) -> set[str]:
    """Meetings with a member who also sits on an overlapping meeting, or past the cap."""
    by_id = season.by_id()
    seats: dict[str, list[str]] = defaultdict(list)
    for mid, p in panels.items():
        for e in p["members"]:
            seats[e].append(mid)
    bad: set[str] = set()
    for mids in seats.values():
        for a in mids:
            for b in mids:
                if a < b and by_id[a].overlaps(by_id[b]):
                    bad |= {a, b}
        if season.max_panels is not None and len(mids) > season.max_panels:
            bad |= set(mids)
    return bad
