"""Load a realistic season (bench/season_real.py) into an app database, so that the bureau's
年度联合抽取 page runs on a city- or province-sized pool:

    EXPERTPOOL_INSTANCE=/tmp/big .venv/bin/expertpool init
    EXPERTPOOL_INSTANCE=/tmp/big .venv/bin/python -m bench.load_season 6000 [--seed 1]

Units, experts (在库, or 暂停 when the season marks them unavailable) in their committees'
pools, prior years' service (so rotation is real), and the year's meetings' applicants and
declared conflicts, through the app's models. A meeting's rules beyond the level defaults
(the 企业 quota of 工程 senior meetings, the age rules) go into its settings, as the office's
rule form stores them. Refuses a database that already has experts.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

if __name__ == "__main__" and str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.season_real import make_real_season, unit_names  # noqa: E402
from expertpool import demo_data as D  # noqa: E402
from expertpool.catalogue.loader import load_catalogue  # noqa: E402
from expertpool.errors import UserError  # noqa: E402
from expertpool.models import (  # noqa: E402
    Applicant,
    Conflict,
    Expert,
    Meeting,
    PoolMembership,
    ServiceRecord,
    Unit,
)
from expertpool.services.demo import has_experts  # noqa: E402
from expertpool.validators import make_id_card, make_uscc  # noqa: E402

# Rules a meeting's settings carry when the season sets them (the rest are level defaults).
SETTING_KEYS = ("min_per_unit_kind", "max_age", "min_share_under_age")
ORG_CODE_CHARS = string.digits + string.ascii_uppercase
USCC_PREFIX = {"企业": "91", "社会组织": "51", "其他": "91"}


@dataclass(frozen=True)
class LoadSummary:
    units: int
    experts: int
    memberships: int
    services: int
    applicants: int
    conflicts: int


def _uscc(k: int, kind: str) -> str:
    """A valid 统一社会信用代码 whose organisation code is the serial k (unique per unit)."""
    body = f"{k:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(ORG_CODE_CHARS.index(c) * w for c, w in zip(body, weights, strict=True))
    check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    return make_uscc(USCC_PREFIX.get(kind, "12") + "210200" + body + check)


def _units(session: Session, doc: dict[str, Any]) -> dict[str, Unit]:
    out: dict[str, Unit] = {}
    for k, (uid, (name, kind)) in enumerate(sorted(unit_names(doc).items()), start=1):
        out[uid] = Unit(name=name, uscc=_uscc(k, kind), kind=kind, district="")
    session.add_all(out.values())
    session.flush()
    return out


def _birth(rng: random.Random, e: dict[str, Any]) -> str:
    if "birth_date" in e:
        return str(e["birth_date"]).replace("-", "")
    return f"{rng.randint(1958, 1990)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def _id_card(rng: random.Random, e: dict[str, Any], seen: set[str]) -> str:
    birth = _birth(rng, e)
    while True:
        body = f"{rng.choice(D.DISTRICT_CODES)}{birth}{rng.randint(0, 999):03d}"
        if body not in seen:
            seen.add(body)
            return make_id_card(body)


def _name(rng: random.Random, *, female: bool) -> str:
    """A two-character given name that suits the gender (the demo's lists)."""
    chars = D.GIVEN_FEMALE if female else D.GIVEN_MALE
    return rng.choice(D.SURNAMES) + rng.choice(chars) + rng.choice(chars)


def _experts(
    session: Session, rng: random.Random, doc: dict[str, Any], units: dict[str, Unit]
) -> dict[str, Expert]:
    series = {c.code: c.series for c in load_catalogue(doc["year"])}
    seen: set[str] = set()
    out: dict[str, Expert] = {}
    for e in doc["experts"]:
        card = _id_card(rng, e, seen)
        out[e["id"]] = Expert(
            code=e["id"],
            name=_name(rng, female=int(card[16]) % 2 == 0),
            gender="女" if int(card[16]) % 2 == 0 else "男",
            birth_year=int(card[6:10]),
            id_card=card,
            unit=units[e["unit"]],
            rank=e["rank"],
            series=series[e["pools"][0]],
            specialties=list(e["specialties"]),
            status="在库" if e.get("available", True) else "暂停",
        )
    session.add_all(out.values())
    session.flush()
    return out


def _meetings(session: Session, doc: dict[str, Any]) -> dict[str, Meeting]:
    codes = [m["id"] for m in doc["meetings"]]
    found = {m.code: m for m in session.scalars(select(Meeting).where(Meeting.code.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise UserError(f"数据库中没有例会：{'、'.join(missing)}（请先运行 expertpool init）")
    return found


def _pools_and_service(
    session: Session, doc: dict[str, Any], experts: dict[str, Expert], meetings: dict[str, Meeting]
) -> tuple[int, int]:
    rows: list[Any] = []
    n_services = 0
    for e in doc["experts"]:
        expert = experts[e["id"]]
        for code in e["pools"]:
            rows.append(PoolMembership(committee_id=meetings[code].committee_id, expert=expert))
        for code, years in e["served"].items():
            n_services += len(years)
            cid = meetings[code].committee_id
            rows += [ServiceRecord(committee_id=cid, expert_id=expert.id, year=y) for y in years]
    session.add_all(rows)
    session.flush()
    return len(rows) - n_services, n_services


def _applicants(
    session: Session,
    rng: random.Random,
    doc: dict[str, Any],
    refs: tuple[dict[str, Unit], dict[str, Expert], dict[str, Meeting]],
) -> tuple[int, int]:
    units, experts, meetings = refs
    n_apps = n_conflicts = 0
    for m in doc["meetings"]:
        meeting = meetings[m["id"]]
        # The overlap variant moves a window: the meeting keeps the season's dates.
        meeting.window_start, meeting.window_end = (date.fromisoformat(d) for d in m["window"])
        meeting.settings = {
            **meeting.settings,
            **{k: m["rules"][k] for k in SETTING_KEYS if m["rules"].get(k)},
        }
        apps = {
            a["id"]: Applicant(
                meeting=meeting,
                code=a["id"],
                name=_name(rng, female=rng.random() < 0.4),
                unit=units[a["unit"]],
                specialty=a["specialty"],
            )
            for a in m["applicants"]
        }
        conflicts = [
            Conflict(
                meeting=meeting,
                expert=experts[c["expert"]],
                applicant=apps[c["applicant"]],
                reason=c["reason"],
            )
            for c in m["conflicts"]
        ]
        session.add_all([*apps.values(), *conflicts])
        n_apps += len(apps)
        n_conflicts += len(conflicts)
    session.flush()
    return n_apps, n_conflicts


def load_season(session: Session, doc: dict[str, Any], seed: int = 1) -> LoadSummary:
    """Store a generated season in an initialised database that has no experts yet."""
    if has_experts(session):
        raise UserError("数据库中已有专家数据，只能载入空库（可换一个 EXPERTPOOL_INSTANCE）")
    rng = random.Random(f"load-season:{seed}")
    meetings = _meetings(session, doc)
    units = _units(session, doc)
    experts = _experts(session, rng, doc, units)
    memberships, services = _pools_and_service(session, doc, experts, meetings)
    apps, conflicts = _applicants(session, rng, doc, (units, experts, meetings))
    return LoadSummary(len(units), len(experts), memberships, services, apps, conflicts)


def main() -> int:
    from expertpool.db import session_scope
    from expertpool.runtime import open_database

    ap = argparse.ArgumentParser(description="载入真实形态的年度专家库（基准用合成数据）")
    ap.add_argument("experts", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--variant", choices=("tight", "overlap", "cap"))
    args = ap.parse_args()
    doc = make_real_season(args.experts, seed=args.seed, variant=args.variant)
    _, factory = open_database()
    try:
        with session_scope(factory) as session:
            s = load_season(session, doc, args.seed)
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(
        f"已载入：{s.units}个单位，{s.experts}名专家，{s.memberships}条入库记录，"
        f"{s.services}条往年任职记录，{s.applicants}名申报人，{s.conflicts}条回避申报"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
