"""The pool (专家库): browse and filter, one expert's record, status changes, statistics."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import (
    Committee,
    Expert,
    Meeting,
    Nomination,
    Panel,
    PanelSeat,
    PoolMembership,
    ServiceRecord,
    StatusChange,
    Unit,
)
from expertpool.models.enums import EXPERT_STATUSES, PANEL_STATUSES, RANKS, SEAT_ROLES, SEAT_STATES
from expertpool.pinyin import sort_key
from expertpool.services import audit, meeting_dates
from expertpool.services.nominations import MAX_TEXT

# Statuses the bureau may set by hand (待审核 is only the state before approval).
SETTABLE_STATUSES = ("在库", "暂停", "退出", "黑名单")


_RowSelect = Select[int, str, str, list[str]]  # id, name_sort, code, specialties


@lru_cache(maxsize=65536)
def _name_key(name: str) -> tuple[tuple[str, ...], tuple[int, ...], str]:
    return sort_key(name)


@dataclass(frozen=True)
class PoolFilter:
    committee_id: int | None = None
    specialty: str = ""
    rank: str = ""
    unit_id: int | None = None
    status: str = ""
    q: str = ""

    def is_empty(self) -> bool:
        return not (
            self.committee_id
            or self.specialty
            or self.rank
            or self.unit_id
            or self.status
            or self.q
        )


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(items: list[Any], page: int, per_page: int = 50) -> Page:
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))


def _filtered(stmt: _RowSelect, flt: PoolFilter) -> _RowSelect:
    """`stmt` (over experts) restricted to what `flt` selects, except the specialty (a JSON
    list, filtered in Python)."""
    if flt.committee_id:
        stmt = stmt.join(PoolMembership, PoolMembership.expert_id == Expert.id).where(
            PoolMembership.committee_id == flt.committee_id
        )
    if flt.rank:
        if flt.rank not in RANKS:
            raise UserError("职称级别无效", field="rank")
        stmt = stmt.where(Expert.rank == flt.rank)
    if flt.status:
        if flt.status not in EXPERT_STATUSES:
            raise UserError("状态无效", field="status")
        stmt = stmt.where(Expert.status == flt.status)
    if flt.unit_id:
        stmt = stmt.where(Expert.unit_id == flt.unit_id)
    q = flt.q.strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(Expert.name.like(like) | Expert.code.like(like))
    return stmt


def pool_ids(session: Session, flt: PoolFilter) -> list[int]:
    """Ids of the experts matching ``flt`` in pinyin order of their names (surname-aware),
    from the stored sort key: a few columns per row, no pinyin work, no objects."""
    stmt = select(Expert.id, Expert.name_sort, Expert.code, Expert.specialties)
    rows = list(session.execute(_filtered(stmt, flt)))
    if flt.specialty:
        rows = [r for r in rows if flt.specialty in (r[3] or [])]
    rows.sort(key=lambda r: (r[1], r[2]))
    return [r[0] for r in rows]


def load_experts(session: Session, ids: list[int]) -> list[Expert]:
    """The experts of `ids`, in that order, with their units and committee memberships
    loaded in a few queries (not one per row)."""
    if not ids:
        return []
    stmt = (
        select(Expert)
        .where(Expert.id.in_(ids))
        .options(selectinload(Expert.unit), selectinload(Expert.memberships))
    )
    by_id = {e.id: e for e in session.scalars(stmt)}
    return [by_id[i] for i in ids]


def search_pool(session: Session, flt: PoolFilter) -> list[Expert]:
    """Experts matching ``flt``, sorted by the pinyin of their names (surname-aware)."""
    return load_experts(session, pool_ids(session, flt))


def pool_page(session: Session, flt: PoolFilter, page: int, per_page: int = 50) -> Page:
    """One page of `search_pool`: only that page's experts are loaded."""
    ids = paginate(pool_ids(session, flt), page, per_page)
    ids.items = load_experts(session, ids.items)
    return ids


def units_with_experts(session: Session) -> list[Unit]:
    units = list(
        session.scalars(select(Unit).where(Unit.id.in_(select(Expert.unit_id).distinct())))
    )
    return sorted(units, key=lambda u: _name_key(u.name))


def all_specialties(session: Session) -> list[str]:
    names: dict[str, None] = {}
    for committee in session.scalars(select(Committee).order_by(Committee.id)):
        for s in committee.specialties:
            names[s] = None
    return list(names)


# ---------------------------------------------------------------------------
# One expert's record
# ---------------------------------------------------------------------------


@dataclass
class SeatRow:
    year: int
    meeting_code: str
    committee_name: str
    role: str
    state: str
    panel_status: str
    drawn_at: datetime
    reason: str


@dataclass(frozen=True)
class ServiceRow:
    """One year on a committee: 出席 / 缺席 as recorded, or 待例会记录 when the meeting has
    ended but its record is not closed yet (a seat alone is no proof of attendance)."""

    year: int
    committee_name: str
    attendance: str
    note: str


PENDING_RECORD = "待例会记录"


@dataclass
class ExpertRecord:
    expert: Expert
    committees: list[Committee]
    nominations: list[Nomination]
    seats: list[SeatRow]
    services: list[ServiceRow]
    no_shows: list[ServiceRow]
    status_changes: list[StatusChange] = field(default_factory=list)


def get_expert(session: Session, expert_id: int) -> Expert:
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise UserError("专家不存在", field="expert")
    return expert


def _seat_row(seat: PanelSeat, panel: Panel, meeting: Meeting, committee: Committee) -> SeatRow:
    return SeatRow(
        year=meeting.year,
        meeting_code=meeting.code,
        committee_name=committee.name,
        role=SEAT_ROLES.get(seat.role, seat.role),
        state=SEAT_STATES.get(seat.state, seat.state),
        panel_status=PANEL_STATUSES.get(panel.status, panel.status),
        drawn_at=panel.drawn_at,
        reason=seat.reason,
    )


def _seats(session: Session, expert: Expert) -> list[tuple[PanelSeat, Panel, Meeting, Committee]]:
    stmt = (
        select(PanelSeat, Panel, Meeting, Committee)
        .join(Panel, Panel.id == PanelSeat.panel_id)
        .join(Meeting, Meeting.id == Panel.meeting_id)
        .join(Committee, Committee.id == Meeting.committee_id)
        .where(PanelSeat.expert_id == expert.id)
        .order_by(Panel.drawn_at.desc(), PanelSeat.id)
    )
    return [(seat, panel, meeting, c) for seat, panel, meeting, c in session.execute(stmt)]


def _records(session: Session, expert: Expert) -> list[ServiceRecord]:
    return list(session.scalars(select(ServiceRecord).where(ServiceRecord.expert_id == expert.id)))


def _confidential(
    session: Session,
    expert: Expert,
    seats: list[tuple[PanelSeat, Panel, Meeting, Committee]],
    today: date | None,
) -> set[int]:
    """Ids of the meetings this expert's seats or service records belong to that have not
    really ended by `today` (none without `today`)."""
    if today is None:
        return set()
    keys = {(r.committee_id, r.year) for r in _records(session, expert)}
    meetings = {m.id: m for _, _, m, _ in seats}
    for m in session.scalars(select(Meeting).where(Meeting.year.in_({y for _, y in keys}))):
        if (m.committee_id, m.year) in keys:
            meetings[m.id] = m
    return {mid for mid, m in meetings.items() if meeting_dates.is_confidential(session, m, today)}


def _service_rows(
    session: Session,
    expert: Expert,
    seats: list[tuple[PanelSeat, Panel, Meeting, Committee]],
    hidden: set[int],
) -> list[ServiceRow]:
    """Recorded service, and a 待例会记录 row for each sealed seat of a meeting that has
    ended without a closed record; nothing for a meeting in `hidden` (still confidential)."""
    names = {cid: name for cid, name in session.execute(select(Committee.id, Committee.name))}
    meetings = {(m.committee_id, m.year): m for m in session.scalars(select(Meeting))}
    rows: dict[tuple[int, int], ServiceRow] = {}
    for r in _records(session, expert):
        meeting = meetings.get((r.committee_id, r.year))
        if meeting is not None and meeting.id in hidden:
            continue
        recorded = meeting is None or meeting_dates.closed_end(session, meeting) is not None
        attendance = ("出席" if r.attended else "缺席") if recorded else PENDING_RECORD
        name = names.get(r.committee_id, "")
        rows[(r.committee_id, r.year)] = ServiceRow(r.year, name, attendance, r.note)
    for seat, panel, meeting, committee in seats:
        key = (meeting.committee_id, meeting.year)
        if panel.status != "sealed" or seat.role != "member" or meeting.id in hidden:
            continue
        if key not in rows and seat.state in ("active", "no_show"):
            rows[key] = ServiceRow(
                meeting.year, committee.name, PENDING_RECORD, f"{meeting.code}评委"
            )
    return sorted(rows.values(), key=lambda row: (-row.year, row.committee_name))


def expert_record(session: Session, expert_id: int, today: date | None = None) -> ExpertRecord:
    """An expert's history. With `today`, seats and service on meetings that have not
    really ended (`meeting_dates`: the closed record's end, else the window's last day) are
    left out, and not even counted: the list stays confidential until the meeting is over
    (评审专家名单一般不对外公布), and a count would tell who was drawn."""
    expert = get_expert(session, expert_id)
    committees = list(
        session.scalars(
            select(Committee)
            .join(PoolMembership, PoolMembership.committee_id == Committee.id)
            .where(PoolMembership.expert_id == expert.id)
            .order_by(Committee.level.desc(), Committee.id)
        )
    )
    nominations = list(
        session.scalars(
            select(Nomination)
            .where((Nomination.expert_id == expert.id) | (Nomination.id_card == expert.id_card))
            .options(selectinload(Nomination.unit))
            .order_by(Nomination.year.desc(), Nomination.id.desc())
        )
    )
    seats = _seats(session, expert)
    hidden = _confidential(session, expert, seats, today)
    services = _service_rows(session, expert, seats, hidden)
    return ExpertRecord(
        expert=expert,
        committees=committees,
        nominations=nominations,
        seats=[_seat_row(*row) for row in seats if row[2].id not in hidden],
        services=services,
        no_shows=[r for r in services if r.attendance == "缺席"],
        status_changes=list(expert.status_changes),
    )


def _checked_until(new_status: str, until: date | None, today: date) -> date | None:
    """暂停至: only for 暂停, and a day after today (the last day suspended, inclusive)."""
    if until is None:
        return None
    if new_status != "暂停":
        raise UserError("只有“暂停”可以填写暂停至日期", field="until")
    if until <= today:
        raise UserError(
            f"暂停至日期须晚于今天（{today.isoformat()}）；不填则暂停至手动恢复", field="until"
        )
    return until


def _checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise UserError("请填写变更理由", field="reason")
    if len(reason) > MAX_TEXT:
        raise UserError(f"变更理由不能超过{MAX_TEXT}个字", field="reason")
    return reason


def change_status(
    session: Session,
    actor: Actor,
    expert_id: int,
    new_status: str,
    reason: str,
    *,
    now: datetime,
    until: date | None = None,
) -> StatusChange:
    """暂停 (optionally 暂停至 a date: from the day after, draws may use the expert again),
    退出, 黑名单 or back to 在库, with a required reason (动态管理). `now` is the caller's
    clock (Beijing time), which also decides what "after today" means."""
    if actor.role != "bureau":
        raise UserError("只有市人社局可以变更专家状态")
    expert = get_expert(session, expert_id)
    if new_status not in SETTABLE_STATUSES:
        raise UserError(f"状态无效（可选：{'、'.join(SETTABLE_STATUSES)}）", field="status")
    if new_status == expert.status:
        raise UserError(f"该专家当前已是“{new_status}”状态", field="status")
    until = _checked_until(new_status, until, now.date())
    reason = _checked_reason(reason)
    change = StatusChange(
        expert_id=expert.id,
        old_status=expert.status,
        new_status=new_status,
        reason=reason,
        by_user=actor.username,
        at=now,
    )
    session.add(change)
    old = expert.status
    expert.status = new_status
    expert.suspended_until = until
    detail: dict[str, Any] = {"old": old, "new": new_status, "reason": reason}
    if until is not None:
        detail["until"] = until.isoformat()
    audit.record(
        session, actor.username, actor.role, "expert_status", f"{expert.code} {expert.name}", detail
    )
    session.flush()
    return change


# ---------------------------------------------------------------------------
# Statistics for the dashboard
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeComposition:
    committee_id: int
    committee_name: str
    level: str
    total: int  # 在库 members
    full_senior: int
    deputy_senior: int
    intermediate: int

    @property
    def full_senior_share(self) -> float:
        return self.full_senior / self.total if self.total else 0.0


def pool_composition(session: Session, year: int) -> list[CommitteeComposition]:
    """Each committee of ``year``: 在库 members by rank."""
    committees = list(
        session.scalars(
            select(Committee)
            .join(Meeting, Meeting.committee_id == Committee.id)
            .where(Meeting.year == year)
            .order_by(Committee.level.desc(), Meeting.seq)
        )
    )
    counts: dict[int, dict[str, int]] = {}
    stmt = (
        select(PoolMembership.committee_id, Expert.rank)
        .join(Expert, Expert.id == PoolMembership.expert_id)
        .where(Expert.status == "在库")
    )
    for cid, rank in session.execute(stmt):
        bucket = counts.setdefault(cid, {})
        bucket[rank] = bucket.get(rank, 0) + 1
    out = []
    for c in committees:
        b = counts.get(c.id, {})
        out.append(
            CommitteeComposition(
                committee_id=c.id,
                committee_name=c.name,
                level=c.level,
                total=sum(b.values()),
                full_senior=b.get("正高级", 0),
                deputy_senior=b.get("副高级", 0),
                intermediate=b.get("中级", 0),
            )
        )
    return out
