"""A seeded synthetic pool, so every screen and every draw can be tried at once.

Units are real Dalian institution names; every expert, applicant and phone number is
invented. The same seed always gives the same data.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool import demo_data as D
from expertpool.clock import shanghai_now
from expertpool.errors import UserError
from expertpool.models import (
    Applicant,
    Committee,
    Conflict,
    Expert,
    Meeting,
    Nomination,
    PoolMembership,
    ServiceRecord,
    Unit,
    YearSetting,
)
from expertpool.services import audit, demo_history
from expertpool.services.accounts import create_user
from expertpool.validators import make_id_card, make_uscc

DEMO_PASSWORD = "Demo@2024"

DEMO_USERS = [
    # username, role, display name, unit, committees
    ("rsj", "bureau", "市人社局职称处", None, None),
    (
        "zjj",
        "office",
        "市住建局评委会办事机构",
        None,
        ["大连市工程系列城乡建设行业高级专业技术资格评审委员会"],
    ),
    (
        "scjg",
        "office",
        "市市场监管局评委会办事机构",
        None,
        [
            "大连市工程系列质量技术监督行业高级专业技术资格评审委员会",
            "大连市工程系列医药行业高级专业技术资格评审委员会",
            "大连市卫生系列医药行业高级专业技术资格评审委员会",
        ],
    ),
    ("dlut", "unit", "大连理工大学人事处", "大连理工大学", None),
    ("dlport", "unit", "大连港集团人力资源部", "大连港集团有限公司", None),
    ("jianguan", "regulator", "市人社局监督检查", None, None),
]

RANK_WEIGHTS = (("正高级", 30), ("副高级", 55), ("中级", 15))
ORG_CODE_CHARS = string.digits + string.ascii_uppercase
PAST_SCALE = 0.3  # applicants per meeting in the years before today's, relative to today's


@dataclass(frozen=True)
class DemoSummary:
    units: int
    experts: int
    applicants: int
    conflicts: int
    users: list[tuple[str, str, str]]


def _org_code(rng: random.Random) -> str:
    """A 9-character 组织机构代码 with its GB 11714 check character."""
    body = "".join(rng.choice(string.digits) for _ in range(8))
    total = sum(
        ORG_CODE_CHARS.index(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _unit_kind(name: str, category: str) -> str:
    if category == "uni":
        return "高校"
    if category == "hospital":
        return "医疗机构"
    if "协会" in name:
        return "社会组织"
    if "有限公司" in name or "有限责任公司" in name or category in ("enterprise", "small"):
        return "企业"
    return "事业单位"


def _uscc(rng: random.Random, kind: str) -> str:
    prefix = {"企业": "91", "事业单位": "12", "高校": "12", "医疗机构": "12", "社会组织": "51"}.get(
        kind, "91"
    )
    return make_uscc(prefix + "210200" + _org_code(rng))


def _name(rng: random.Random, female: bool | None = None) -> str:
    """A synthetic name whose given name suits ``female`` (None: either, for applicants,
    whose 性别 is not recorded)."""
    if female is None:
        female = rng.random() < 0.4
    chars = D.GIVEN_FEMALE if female else D.GIVEN_MALE
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(D.SURNAMES) + given


def _category_weights(committee: Committee) -> dict[str, int]:
    s = committee.series + committee.name
    if "卫生" in s:
        return {"hospital": 65, "uni": 20, "institute": 10, "small": 5}
    if any(k in s for k in ("教师", "党校", "教育管理", "实验技术")):
        return {"school": 55, "uni": 40, "agency": 5}
    if any(k in s for k in ("农业", "林业")):
        return {"institute": 30, "agency": 25, "uni": 25, "small": 20}
    if "经济" in s:
        return {"uni": 35, "enterprise": 35, "small": 30}
    if any(k in s for k in ("体育", "艺术", "广电")):
        return {"school": 50, "enterprise": 25, "uni": 25}
    return {"enterprise": 35, "small": 25, "institute": 20, "uni": 20}


def _home_unit(committee: Committee) -> str | None:
    for key, unit in (
        ("港口", "大连港集团有限公司"),
        ("冶金", "东北特钢集团大连特殊钢有限责任公司"),
        ("核电", "辽宁红沿河核电有限公司"),
        ("广播电视", "大连市新闻传媒集团"),
        ("广电新闻", "大连市新闻传媒集团"),
    ):
        if key in committee.name:
            return unit
    return None


def _title(rank: str, committee: Committee) -> str:
    table = D.TITLES[rank]
    s = committee.series + committee.name
    for key in ("卫生", "教师", "经济", "农业", "工程"):
        if key in s:
            return table[key]
    return table["default"]


def has_experts(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Expert)))


def _catalogue(session: Session, year: int) -> tuple[list[Committee], dict[int, Meeting]]:
    if has_experts(session):
        raise UserError(
            "数据库中已有专家数据，演示数据只能载入空库（可先删除 instance 目录或换一个 DATABASE_URL）"
        )
    committees = list(session.scalars(select(Committee).order_by(Committee.id)))
    meetings = {
        m.committee_id: m for m in session.scalars(select(Meeting).where(Meeting.year == year))
    }
    if not committees or not meetings:
        raise UserError(f"尚未载入{year}年评委会目录，请先运行 expertpool init")
    return committees, meetings


def _add_units(session: Session, rng: random.Random) -> dict[str, list[Unit]]:
    """Units by category: the named institutions plus many small firms."""
    units_by_cat: dict[str, list[Unit]] = {}
    used_names: set[str] = set()

    def add_unit(name: str, category: str) -> None:
        kind = _unit_kind(name, category)
        unit = Unit(name=name, uscc=_uscc(rng, kind), kind=kind, district=rng.choice(D.DISTRICTS))
        session.add(unit)
        used_names.add(name)
        units_by_cat.setdefault(category, []).append(unit)

    for cat, names in (
        ("uni", D.UNIVERSITIES),
        ("hospital", D.HOSPITALS),
        ("institute", D.INSTITUTES),
        ("enterprise", D.ENTERPRISES),
        ("school", D.SCHOOLS),
        ("agency", D.AGENCIES),
    ):
        for name in names:
            add_unit(name, cat)
    while len(units_by_cat.get("small", [])) < 160:
        name = f"大连{rng.choice(D.SMALL_FIRM_STEMS)}{rng.choice(D.SMALL_FIRM_TRADES)}有限公司"
        if name not in used_names:
            add_unit(name, "small")
    session.flush()
    return units_by_cat


def _new_id_card(rng: random.Random, birth: datetime, female: bool, id_cards: set[str]) -> str:
    while True:
        body = f"{rng.choice(D.DISTRICT_CODES)}{birth:%Y%m%d}{rng.randint(0, 99):02d}{rng.choice('02468' if female else '13579')}"
        card = make_id_card(body)
        if card not in id_cards:
            id_cards.add(card)
            return card


@dataclass
class _Pool:
    """The demo experts, and the committees each one (by its 1-based number) belongs to."""

    experts: list[Expert]
    committees_of: dict[int, set[int]]


def _make_expert(
    rng: random.Random, seq: int, committee: Committee, unit: Unit, id_cards: set[str]
) -> Expert:
    rank = rng.choices([r for r, _ in RANK_WEIGHTS], [w for _, w in RANK_WEIGHTS])[0]
    birth = datetime(rng.randint(1960, 1988), rng.randint(1, 12), rng.randint(1, 28))
    female = rng.random() < 0.4
    card = _new_id_card(rng, birth, female, id_cards)
    n_spec = rng.choice((1, 2, 2, 3))
    main = committee.specialties[:8]
    pool = main if rng.random() < 0.8 else committee.specialties
    specs = sorted(set(rng.sample(pool, min(n_spec, len(pool)))))
    return Expert(
        code=f"E{seq:06d}",
        name=_name(rng, female),
        gender="女" if female else "男",
        birth_year=birth.year,
        id_card=card,
        unit=unit,
        rank=rank,
        title_name=_title(rank, committee),
        series=committee.series,
        specialties=specs,
        phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        email=f"expert{seq:06d}@example.cn",
        status="在库",
    )


def _add_experts(
    session: Session,
    rng: random.Random,
    committees: list[Committee],
    units_by_cat: dict[str, list[Unit]],
    experts_per_committee: int,
) -> _Pool:
    """A pool per committee, the main specialties favoured, cross-committee memberships."""
    by_name = {u.name: u for units in units_by_cat.values() for u in units}
    id_cards: set[str] = set()
    pool = _Pool([], {})
    for committee in committees:
        weights = _category_weights(committee)
        cats, cat_w = zip(*weights.items(), strict=True)
        home = _home_unit(committee)
        size = experts_per_committee if committee.level == "senior" else experts_per_committee // 2
        for _ in range(size):
            seq = len(pool.experts) + 1
            if home and rng.random() < 0.25:
                unit = by_name[home]
            else:
                unit = rng.choice(units_by_cat[rng.choices(cats, cat_w)[0]])
            expert = _make_expert(rng, seq, committee, unit, id_cards)
            pool.experts.append(expert)
            pool.committees_of[seq] = {committee.id} | {
                other.id
                for other in committees
                if other.id != committee.id
                and set(expert.specialties) & set(other.specialties)
                and rng.random() < 0.6
            }
    session.add_all(pool.experts)
    session.flush()
    return pool


def _add_memberships(session: Session, rng: random.Random, year: int, pool: _Pool) -> None:
    """Pool memberships with past years of service; a few experts out of the drawable pool."""
    for expert in rng.sample(pool.experts, 40):
        expert.status = rng.choice(("暂停", "退出", "黑名单"))
    memberships: list[PoolMembership] = []
    services: list[ServiceRecord] = []
    for i, expert in enumerate(pool.experts, start=1):
        for cid in sorted(pool.committees_of[i]):
            memberships.append(PoolMembership(committee_id=cid, expert_id=expert.id))
            r = rng.random()
            if r < 0.05:  # served three years in a row: barred this year (连续任职不超过3年)
                years = [year - 3, year - 2, year - 1]
            elif r < 0.35:
                years = sorted(rng.sample([year - 3, year - 2, year - 1], rng.randint(1, 2)))
            else:
                years = []
            services += [
                ServiceRecord(expert_id=expert.id, committee_id=cid, year=y) for y in years
            ]
    session.add_all([*memberships, *services])


def _meeting_applicants(
    rng: random.Random,
    committee: Committee,
    meeting: Meeting,
    all_units: list[Unit],
    scale: float = 1.0,
) -> list[Applicant]:
    count = rng.randint(40, 110) if committee.level == "senior" else rng.randint(15, 40)
    count = max(4, int(count * scale))
    offered = committee.specialties[: min(6, len(committee.specialties))]
    spec_w = [8] + [3] * (len(offered) - 1)
    applicants = []
    for k in range(1, count + 1):
        unit = rng.choice(all_units)
        applicants.append(
            Applicant(
                meeting_id=meeting.id,
                code=f"A{k:04d}",
                name=_name(rng),
                unit_id=unit.id,
                specialty=rng.choices(offered, spec_w)[0],
                current_title=_title("中级", committee)
                if committee.level == "senior"
                else "助理工程师",
            )
        )
    return applicants


def _add_applicants(
    session: Session,
    rng: random.Random,
    committees: list[Committee],
    meetings: dict[int, Meeting],
    all_units: list[Unit],
    pool: _Pool,
    scale: float = 1.0,
) -> tuple[int, int]:
    """Applicants per meeting, concentrated on a few specialties; a few declared conflicts.
    Returns (applicants, conflicts)."""
    n_applicants = n_conflicts = 0
    pool_by_committee: dict[int, list[Expert]] = {}
    for i, expert in enumerate(pool.experts, start=1):
        for cid in pool.committees_of[i]:
            pool_by_committee.setdefault(cid, []).append(expert)
    for committee in committees:
        meeting = meetings.get(committee.id)
        if meeting is None:
            continue
        applicants = _meeting_applicants(rng, committee, meeting, all_units, scale)
        session.add_all(applicants)
        session.flush()
        n_applicants += len(applicants)
        experts = pool_by_committee.get(committee.id, [])
        pairs = {
            (rng.choice(experts).id, rng.choice(applicants).id) for _ in range(min(4, len(experts)))
        }
        for expert_id, applicant_id in sorted(pairs):
            session.add(
                Conflict(
                    meeting_id=meeting.id,
                    expert_id=expert_id,
                    applicant_id=applicant_id,
                    reason=rng.choice(("近亲属", "师生", "合作者", "同单位近三年", "其他")),
                )
            )
            n_conflicts += 1
        session.flush()
    return n_applicants, n_conflicts


def _add_users(session: Session) -> list[tuple[str, str, str]]:
    """An account for each role (password DEMO_PASSWORD)."""
    users = []
    for username, role, display, unit_name, committee_names in DEMO_USERS:
        create_user(
            session,
            username,
            DEMO_PASSWORD,
            role,
            display_name=display,
            unit_name=unit_name,
            committee_names=committee_names,
            check_policy=False,  # the demo's published Demo@2024 predates the policy
        )
        users.append((username, role, display))
    return users


def _base_year(session: Session, target: int) -> int:
    """The shipped catalogue's first year; the demo lives from it up to ``target``."""
    base: int | None = session.scalar(select(func.min(Meeting.year)))
    if base is None:
        raise UserError("尚未载入评委会目录，请先运行 expertpool init")
    if target < base:
        raise UserError(f"演示数据从{base}年度开始，不能建立{target}年度", field="年份")
    return base


def load_demo(
    session: Session,
    year: int | None = None,
    seed: int = 20240731,
    experts_per_committee: int = 140,
    *,
    now: datetime | None = None,
) -> DemoSummary:
    """Fill an initialised, empty database with the demo pool; refuses a database with experts.

    ``now`` (Beijing wall-clock, default the current time) decides the working year (its
    year unless ``year`` is given) and the calendar: every year from the shipped catalogue
    up to it is opened and lived through (``demo_history``), and the year's nominations
    are open or closed as its 31 July deadline and ``now`` say."""
    now = now or shanghai_now()  # nomination times are Beijing wall-clock, as the form records them
    target = year or now.year
    base = _base_year(session, target)
    committees, meetings = _catalogue(session, base)
    rng = random.Random(seed)
    units_by_cat = _add_units(session, rng)
    by_name = {u.name: u for units in units_by_cat.values() for u in units}
    pool = _add_experts(session, rng, committees, units_by_cat, experts_per_committee)
    _add_memberships(session, rng, base, pool)
    all_units = [u for units in units_by_cat.values() for u in units]
    base_scale = 1.0 if target == base else PAST_SCALE
    n_applicants, n_conflicts = _add_applicants(
        session, rng, committees, meetings, all_units, pool, base_scale
    )
    users = _add_users(session)
    counts = [n_applicants, n_conflicts]

    def add_year(year_meetings: list[Meeting]) -> None:
        year_rng = random.Random(f"{seed}-{year_meetings[0].year}" if year_meetings else seed)
        found = {m.committee_id: m for m in year_meetings}
        active = [c for c in committees if c.id in found]
        # Years before today's only need enough applicants for a real record: fewer
        # of them keeps the demo quick to build.
        scale = 1.0 if year_meetings and year_meetings[0].year == target else PAST_SCALE
        added = _add_applicants(session, year_rng, active, found, all_units, pool, scale)
        counts[0] += added[0]
        counts[1] += added[1]

    demo_history.live_through(session, base, target, now.date(), seed, add_year)
    _demo_nominations(
        session, rng, target, by_name, committees, _submitted_at(session, target, now)
    )
    audit.record(
        session,
        "system",
        "",
        "import",
        "演示数据",
        {"experts": len(pool.experts), "seed": seed, "year": target},
    )
    session.flush()
    return DemoSummary(len(all_units), len(pool.experts), counts[0], counts[1], users)


def _submitted_at(session: Session, year: int, now: datetime) -> datetime:
    """When the demo units sent their nominations: now while the window is open, else ten
    days before the deadline (so nothing is dated after it)."""
    setting = session.get(YearSetting, year)
    if setting is None or now <= setting.nomination_deadline:
        return now
    return (setting.nomination_deadline - timedelta(days=10)).replace(hour=10, minute=0, second=0)


def _submitted(year: int, unit: Unit, now: datetime, **person: Any) -> Nomination:
    """A nomination the demo unit submitted at `now`, with both pledges, for `person`."""
    return Nomination(
        year=year,
        unit_id=unit.id,
        status="已提交",
        pledge_personal=True,
        pledge_unit=True,
        submitted_by="demo",
        submitted_at=now,
        updated_at=now,
        **person,
    )


def _demo_nominations(
    session: Session,
    rng: random.Random,
    year: int,
    by_name: dict[str, Unit],
    committees: list[Committee],
    now: datetime,
) -> None:
    """Some pending nominations for the bureau's review queue, one of them a duplicate."""
    for unit_name in ("大连理工大学", "大连港集团有限公司", "大连市中心医院"):
        unit = by_name[unit_name]
        for _ in range(4):
            committee = rng.choice(committees)
            birth = rng.randint(1965, 1985)
            female = rng.random() < 0.4
            card = make_id_card(
                f"210204{birth}0{rng.randint(1, 9)}{rng.randint(10, 28)}"
                f"{rng.randint(10, 99)}{rng.choice('02468' if female else '13579')}"
            )
            session.add(
                _submitted(
                    year,
                    unit,
                    now,
                    name=_name(rng, female),
                    gender="女" if female else "男",
                    birth_year=birth,
                    id_card=card,
                    rank="正高级",
                    title_name=_title("正高级", committee),
                    series=committee.series,
                    committee_ids=[committee.id],
                    specialties=committee.specialties[:1],
                    phone=f"139{rng.randint(10000000, 99999999)}",
                    email=f"n{rng.randint(1000, 9999)}@example.cn",
                    recommendation="该同志业务能力突出，同意推荐。",
                )
            )
    # The same 身份证号 as a pooled expert: the review queue flags it.
    existing = session.scalars(select(Expert).limit(1)).first()
    if existing is not None:
        session.add(
            _submitted(
                year,
                by_name["大连理工大学"],
                now,
                name=existing.name,
                gender=existing.gender,
                birth_year=existing.birth_year,
                id_card=existing.id_card,
                rank=existing.rank,
                title_name=existing.title_name,
                series=existing.series,
                committee_ids=[committees[0].id],
                specialties=committees[0].specialties[:1],
                phone=existing.phone,
                email=existing.email,
                recommendation="同意推荐。",
            )
        )
