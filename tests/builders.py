"""The shared test builders.

Draw packages (dicts and bytes) for the solver and shortfall tests, and database rows
(units, nominations, nomination workbooks, small meeting rules, actors) for the service,
web, fuzz and reliability tests. No test module imports another test module's helpers.
"""

from __future__ import annotations

import io
import json
import random
import warnings
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.db import make_session_factory, session_scope
from expertpool.models import Base, Meeting, Nomination, Unit
from expertpool.services.nominations import year_committees
from expertpool.spreadsheet import workbook_bytes
from expertpool.validators import make_id_card, make_uscc
from expertpool.xlsx.nominations import HEADERS, build_template

# ---------------------------------------------------------------------------
# Draw packages
# ---------------------------------------------------------------------------

SPECS = ("建筑工程", "给排水", "岩土工程", "暖通")
KINDS = ("高校", "企业", "事业单位")


def expert(
    eid: str,
    unit: str = "U1",
    rank: str = "正高级",
    *,
    kind: str | None = None,
    specs: tuple[str, ...] = (),
    served: tuple[int, ...] = (),
    available: bool = True,
    birth: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": eid,
        "name": f"专家{eid}",
        "unit": unit,
        "rank": rank,
        "specialties": list(specs),
        "served": list(served),
        "available": available,
    }
    if kind is not None:
        out["unit_kind"] = kind
    if birth is not None:
        out["birth_date"] = birth
    return out


def applicant(
    aid: str, unit: str = "UA", specialty: str = "建筑工程", group: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": aid, "unit": unit, "specialty": specialty}
    if group is not None:
        out["group"] = group
    return out


def package_doc(
    experts: list[dict[str, Any]],
    *,
    rules: dict[str, Any] | None = None,
    applicants: list[dict[str, Any]] | None = None,
    conflicts: list[dict[str, Any]] | None = None,
    panel_size: int = 3,
    min_rank: str = "中级",
    year: int = 2024,
    groups: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    r: dict[str, Any] = {"panel_size": panel_size, "min_rank": min_rank}
    r.update(rules or {})
    doc: dict[str, Any] = {
        "format": "expertpool.draw/1",
        "meeting": {
            "id": "T-01",
            "committee": "测试评委会",
            "level": "senior",
            "year": year,
            "window": ["2024-10-21", "2024-10-31"],
        },
        "rules": r,
        "experts": experts,
        "applicants": applicants or [],
        "conflicts": conflicts or [],
    }
    if groups is not None:  # left out unless given: older packages keep their bytes
        doc["groups"] = groups
    return doc


def to_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def package(experts: list[dict[str, Any]], **kw: Any) -> bytes:
    return to_bytes(package_doc(experts, **kw))


def _add_age_rules(
    rng: random.Random, experts: list[dict[str, Any]], rules: dict[str, Any]
) -> None:
    """Birth dates for everyone (near the 55/60 boundaries on 2024-10-21) and an age rule."""
    for e in experts:
        year = rng.choice([1962, 1964, 1969, 1970, 1975])
        e["birth_date"] = f"{year}-10-{rng.choice([20, 21, 22])}"
    if rng.random() < 0.6:
        rules["max_age"] = rng.choice([55, 60])
    if rng.random() < 0.6:
        rules["min_share_under_age"] = {
            "age": rng.choice([55, 60]),
            "share": rng.choice(["1/3", "2/3"]),
        }


def random_doc(rng: random.Random, max_experts: int = 12) -> dict[str, Any]:
    """A random tiny package (≤ max_experts experts) exercising every rule."""
    m = rng.randint(3, max_experts)
    n = rng.choice([3, 3, 5])
    units = [f"U{i}" for i in range(rng.randint(2, 5))]
    experts = []
    for i in range(m):
        served = tuple(y for y in (2021, 2022, 2023) if rng.random() < 0.4)
        experts.append(
            expert(
                f"E{i:02d}",
                rng.choice(units),
                rng.choice(["中级", "副高级", "正高级", "正高级"]),
                kind=rng.choice([*KINDS, None]),
                specs=tuple(s for s in SPECS[:3] if rng.random() < 0.45),
                served=served,
                available=rng.random() < 0.92,
            )
        )
    apps = [
        applicant(f"A{j}", rng.choice([*units, "UX"]), rng.choice(SPECS[:3]))
        for j in range(rng.randint(0, 3))
    ]
    conflicts = [
        {"expert": rng.choice(experts)["id"], "applicant": a["id"], "reason": "师生"}
        for a in apps
        if rng.random() < 0.5
    ]
    rules: dict[str, Any] = {"alternates": rng.randint(0, 3)}
    if rng.random() < 0.5:
        rules["min_full_senior_share"] = rng.choice(["1/3", "1/2", "2/3"])
    if rng.random() < 0.5:
        rules["max_per_unit"] = rng.randint(1, 3)
    if rng.random() < 0.3:
        rules["min_per_unit_kind"] = {rng.choice(KINDS): rng.randint(1, 2)}
    if rng.random() < 0.4:
        rules["specialty_demand"] = {rng.choice(SPECS[:3]): rng.randint(1, 2)}
    if rng.random() < 0.5:
        rules["recuse_same_unit"] = True
    if rng.random() < 0.5:
        rules["min_voters_share"] = rng.choice(["1/2", "2/3"])
    if rng.random() < 0.4:
        rules["min_specialist_voters"] = 1
    if rng.random() < 0.4:
        rules["max_consecutive_years"] = rng.randint(1, 3)
    if rng.random() < 0.35:
        _add_age_rules(rng, experts, rules)
    return package_doc(
        experts,
        rules=rules,
        applicants=apps,
        conflicts=conflicts,
        panel_size=n,
        min_rank=rng.choice(["中级", "副高级"]),
    )


# ---------------------------------------------------------------------------
# Season packages
# ---------------------------------------------------------------------------

OCT = ["2024-10-21", "2024-10-31"]
NOV = ["2024-11-21", "2024-11-30"]


def season_doc(experts, meetings, max_panels=None) -> bytes:
    """A season package (bytes): experts with their pools, and the meetings."""
    doc = {"format": "expertpool.season/1", "year": 2024, "experts": experts, "meetings": meetings}
    if max_panels is not None:
        doc["max_panels_per_expert"] = max_panels
    return json.dumps(doc, ensure_ascii=False).encode()


def ex(eid, pools, rank="副高级", unit=None, specs=("机械",), served=None, available=True):
    """A season expert (in the pools of the meetings `pools`)."""
    return {
        "id": eid,
        "unit": unit or f"U-{eid}",
        "unit_kind": "企业",
        "rank": rank,
        "specialties": list(specs),
        "pools": list(pools),
        "served": served or {},
        "available": available,
    }


def mt(mid, window, n=3, **rules):
    """A season meeting of `n` seats in `window`."""
    return {
        "id": mid,
        "committee": f"评委会{mid}",
        "level": "senior",
        "window": window,
        "rules": {"panel_size": n, "min_rank": "副高级", **rules},
        "applicants": [],
        "conflicts": [],
    }


def three_meeting_season() -> bytes:
    """30 experts in three pools; two October meetings (one with a unit cap) and one in
    November, at most two panels each: small, feasible, and seed-dependent."""
    experts = [
        ex(
            f"E{i:02d}",
            ["A", "B", "C"],
            rank="正高级" if i % 3 == 0 else "副高级",
            unit=f"U{i % 5}",
        )
        for i in range(30)
    ]
    meetings = [mt("A", OCT, n=5, max_per_unit=2), mt("B", OCT, n=5), mt("C", NOV, n=7)]
    return season_doc(experts, meetings, max_panels=2)


# ---------------------------------------------------------------------------
# Database rows
# ---------------------------------------------------------------------------

# Actors of the demo accounts, for service calls.
ZJJ = Actor("zjj", "office")
SCJG = Actor("scjg", "office")
RSJ = Actor("rsj", "bureau")

S01 = "2024-S01"  # zjj's committee
S02 = "2024-S02"  # one of scjg's

# Rules a 30-expert demo pool can satisfy (the catalogue's defaults need more experts).
SMALL_RULES: dict[str, Any] = {"panel_size": 11, "min_full_senior_share": "1/4"}


def small_meeting(s: Session, code: str = S01) -> Meeting:
    """The meeting `code` with SMALL_RULES (flushed, not committed)."""
    meeting = s.scalar(select(Meeting).where(Meeting.code == code))
    assert meeting is not None, code
    meeting.settings = dict(SMALL_RULES)
    s.flush()
    return meeting


def small_rules(db: Engine, *codes: str) -> None:
    """Commit SMALL_RULES on each meeting in `codes`."""
    with session_scope(make_session_factory(db)) as s:
        for code in codes:
            small_meeting(s, code)


def card(body17: str = "21020419800101123") -> str:
    """A valid 身份证号; an odd 17th digit means 男."""
    return make_id_card(body17)


def bad_card() -> str:
    """card() with a wrong check character."""
    good = card()
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def add_unit(session: Session, name: str = "大连测试大学", org: str = "123456789") -> Unit:
    unit = Unit(
        name=name, uscc=make_uscc("12210200" + org[:8] + "9"[: 9 - len(org[:8])]), kind="高校"
    )
    session.add(unit)
    session.flush()
    return unit


def load_xlsx(data: bytes):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data))


def nomination_row(session: Session, **over: str) -> list[str]:
    """One valid row of the nomination workbook (first 2024 committee), in HEADERS order."""
    c = year_committees(session, 2024)[0]
    values = {
        "姓名": "曾国明",
        "性别": "男",
        "身份证号": card(),
        "职称级别": "正高级",
        "职称名称": "正高级工程师",
        "系列": "工程",
        "联系电话": "13912345678",
        "电子邮箱": "zeng@example.cn",
        "推荐评委会": c.name,
        "专业": c.specialties[0],
        "推荐意见": "同意推荐。",
        "个人承诺": "是",
        "单位承诺": "是",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def nomination_workbook(session: Session, rows: list[list], *, template: bool = True) -> bytes:
    """The nomination template (or a bare sheet with the headers) filled with `rows`."""
    if template:
        wb = load_xlsx(build_template(session, 2024))
        ws = wb["专家推荐"]
    else:
        wb = Workbook()
        ws = wb.active
        for col, h in enumerate(HEADERS, start=1):
            ws.cell(row=1, column=col, value=h)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col, value=value)
    return workbook_bytes(wb)


def nomination_form(db: Engine, **over: object) -> dict:
    """The unit's new-nomination form, filled validly (first 2024 committee)."""
    with session_scope(make_session_factory(db)) as s:
        c = year_committees(s, 2024)[0]
        cid, specs = c.id, list(c.specialties)
    data: dict = {
        "name": "曾国明",
        "gender": "男",
        "id_card": card(),
        "rank": "正高级",
        "title_name": "正高级工程师",
        "series": "工程",
        "phone": "13912345678",
        "email": "zeng@example.cn",
        "committee_ids": [str(cid)],
        "specialties": [specs[0]],
        "recommendation": "同意推荐。",
        "pledge_personal": "y",
        "pledge_unit": "y",
    }
    data.update(over)
    return data


def nomination_count(db: Engine | Session) -> int:
    """How many nominations are stored (through a session, or a fresh one on an engine)."""
    if isinstance(db, Session):
        return db.scalar(select(func.count()).select_from(Nomination)) or 0
    with session_scope(make_session_factory(db)) as s:
        return s.scalar(select(func.count()).select_from(Nomination)) or 0


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table."""
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }
