"""Build a meeting's draw package (expertpool.draw/1) from the stored pool."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.errors import UserError
from expertpool.models import (
    Applicant,
    Committee,
    Conflict,
    Expert,
    Meeting,
    Panel,
    PanelSeat,
    PoolMembership,
    ServiceRecord,
)
from expertpool.models.enums import DRAWABLE_STATUS
from expertpool.validators import id_card_birth_date
from solver import registry
from solver.contract import canonical_bytes
from solver.defaults import default_rules
from solver.errors import PackageError

# Statuses kept in a package as unavailable, so a verifier sees why they were passed over.
LISTED_STATUSES = (DRAWABLE_STATUS, "暂停", "黑名单")


def find_meeting(session: Session, code: str) -> Meeting:
    meeting = session.scalar(
        select(Meeting).where(Meeting.code == code).options(selectinload(Meeting.committee))
    )
    if meeting is None:
        raise UserError(f"例会编号不存在：{code}", field="meeting")
    return meeting


def applicant_specialty_counts(meeting: Meeting) -> dict[str, int]:
    return dict(Counter(a.specialty for a in meeting.applicants))


def effective_rules(meeting: Meeting) -> dict[str, Any]:
    """The level defaults for this committee, overridden by the meeting's stored settings."""
    committee = meeting.committee
    seats = meeting.settings.get("panel_size")
    rules = default_rules(
        committee.level,
        seats,
        applicant_specialty_counts(meeting),
        committee.narrow,
    )
    for key, value in meeting.settings.items():
        # Not draw rules: the vote rules of the meeting record, and the review groups
        # (评议组 → specialties), which the package carries at its top level.
        if key not in NOT_RULES:
            rules[key] = value
    return rules


NOT_RULES = ("meeting_rules", "groups")


def review_groups(meeting: Meeting) -> dict[str, list[str]]:
    """The meeting's review groups (评议组 → specialties) as the office set them."""
    raw = meeting.settings.get("groups") or {}
    return {str(k): [str(s) for s in v] for k, v in sorted(raw.items())}


def _applicant_entry(a: Applicant, with_group: bool) -> dict[str, Any]:
    entry = {"id": a.code, "name": a.name, "unit": a.unit.uscc, "specialty": a.specialty}
    if with_group and a.review_group:
        entry["group"] = a.review_group
    return entry


def pool_experts(session: Session, committee: Committee) -> list[Expert]:
    stmt = (
        select(Expert)
        .join(PoolMembership, PoolMembership.expert_id == Expert.id)
        .where(PoolMembership.committee_id == committee.id)
        .where(Expert.status.in_(LISTED_STATUSES))
        .options(selectinload(Expert.unit))
        .order_by(Expert.code)
    )
    return list(session.scalars(stmt))


def sealed_seat_years(session: Session) -> list[tuple[int, int, int]]:
    """(expert id, committee id, year) of every member seated on a sealed panel and not
    recorded absent: such a member sat on that year's panel (draw-format `served`), whether
    or not the meeting has ended or its record been kept yet. Sealing writes no service
    record, so the expert's record cannot show attendance before the meeting is over."""
    stmt = (
        select(PanelSeat.expert_id, Meeting.committee_id, Meeting.year)
        .join(Panel, Panel.id == PanelSeat.panel_id)
        .join(Meeting, Meeting.id == Panel.meeting_id)
        .where(Panel.status == "sealed", PanelSeat.role == "member", PanelSeat.state == "active")
    )
    return [(e, c, y) for e, c, y in session.execute(stmt)]


def attended_years(session: Session) -> list[tuple[int, int, int]]:
    """(expert id, committee id, year) the expert served: recorded service (history, the
    meeting record) and sealed seats (`sealed_seat_years`); recorded absences do not count."""
    stmt = select(ServiceRecord.expert_id, ServiceRecord.committee_id, ServiceRecord.year).where(
        ServiceRecord.attended.is_(True)
    )
    return [(e, c, y) for e, c, y in session.execute(stmt)] + sealed_seat_years(session)


def served_years(
    session: Session, committee_id: int, expert_ids: list[int]
) -> dict[int, list[int]]:
    served: dict[int, list[int]] = defaultdict(list)
    wanted = set(expert_ids)
    for expert_id, cid, year in attended_years(session):
        if cid == committee_id and expert_id in wanted:
            served[expert_id].append(year)
    return {k: sorted(set(v)) for k, v in served.items()}


def seated_on_overlapping(
    session: Session, meeting: Meeting, *, sealed_only: bool = False
) -> set[int]:
    """Experts seated as members on the current panel of another meeting of the same year
    whose window overlaps this one's: nobody sits on two such panels (season_overlap)."""
    statuses = ("sealed",) if sealed_only else ("drawn", "sealed")
    stmt = (
        select(PanelSeat.expert_id)
        .join(Panel, Panel.id == PanelSeat.panel_id)
        .join(Meeting, Meeting.id == Panel.meeting_id)
        .where(
            Meeting.year == meeting.year,
            Meeting.id != meeting.id,
            Meeting.window_start <= meeting.window_end,
            Meeting.window_end >= meeting.window_start,
            Panel.status.in_(statuses),
            PanelSeat.role == "member",
            PanelSeat.state == "active",
        )
    )
    return set(session.scalars(stmt))


def needs_birth_dates(rules: dict[str, Any]) -> bool:
    """Whether these rules turn on a rule that reads birth dates (an age rule): only then do
    packages carry `experts[].birth_date`, so other packages keep their bytes and hashes."""
    try:
        return registry.needs_birth_dates(rules)
    except PackageError as exc:
        raise UserError(f"抽取规则有误：{exc.message}", field="rules") from exc


def birth_date(expert: Expert) -> str:
    """The ISO birth date encoded in the expert's stored 身份证号."""
    try:
        return id_card_birth_date(expert.id_card).isoformat()
    except UserError:
        raise UserError(
            f"专家{expert.code}（{expert.name}）的身份证号无效，无法计算年龄", field="id_card"
        ) from None


def expert_entry(
    expert: Expert,
    served: list[int],
    busy: bool = False,
    *,
    with_birth_date: bool = False,
    today: date | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": expert.code,
        "name": expert.name,
        "unit": expert.unit.uscc,
        "unit_kind": expert.unit.kind,
        "rank": expert.rank,
        "specialties": sorted(set(expert.specialties)),
        "served": served,
        "available": expert.drawable_on(today) and not busy,
    }
    if with_birth_date:
        entry["birth_date"] = birth_date(expert)
    return entry


def build_package(
    session: Session, meeting: Meeting, *, exclude_busy: bool = False, today: date | None = None
) -> dict[str, Any]:
    """The meeting's draw/1 package. With `exclude_busy` (a single meeting's own draw), experts
    already seated on an overlapping meeting's panel are listed as unavailable, so drawing
    meetings one at a time never books anybody twice in the same days. `today` (from the
    caller's clock) makes a 暂停 whose 暂停至 date has passed available again; the package is
    still a function of the database and that date."""
    committee = meeting.committee
    experts = pool_experts(session, committee)
    busy = seated_on_overlapping(session, meeting) if exclude_busy else set()
    served = served_years(session, committee.id, [e.id for e in experts])
    in_pool = {e.id for e in experts}
    applicants = list(
        session.scalars(
            select(Applicant)
            .where(Applicant.meeting_id == meeting.id)
            .options(selectinload(Applicant.unit))
            .order_by(Applicant.code)
        )
    )
    conflicts = session.scalars(
        select(Conflict)
        .where(Conflict.meeting_id == meeting.id)
        .options(selectinload(Conflict.expert), selectinload(Conflict.applicant))
    )
    rules = effective_rules(meeting)
    ages = needs_birth_dates(rules)
    groups = review_groups(meeting)
    # Groups are written only once the office uses them (a groups map or the 评议组 rule), so
    # packages of meetings that do not keep their bytes.
    with_groups = bool(groups) or bool(rules.get("min_group_members"))
    doc: dict[str, Any] = {
        "format": "expertpool.draw/1",
        "meeting": {
            "id": meeting.code,
            "committee": committee.name,
            "level": committee.level,
            "year": meeting.year,
            "window": [meeting.window_start.isoformat(), meeting.window_end.isoformat()],
        },
        "rules": rules,
        "experts": [
            expert_entry(e, served.get(e.id, []), e.id in busy, with_birth_date=ages, today=today)
            for e in experts
        ],
        "applicants": [_applicant_entry(a, with_groups) for a in applicants],
        "conflicts": sorted(
            (
                {"expert": c.expert.code, "applicant": c.applicant.code, "reason": c.reason}
                for c in conflicts
                if c.expert_id in in_pool
            ),
            key=lambda c: (c["expert"], c["applicant"]),
        ),
    }
    if with_groups:
        doc["groups"] = groups
    return doc


def package_bytes(package: dict[str, Any]) -> bytes:
    """The canonical bytes of a package (solver.contract): what the draw hashes and records."""
    return canonical_bytes(package)
