"""The pool browser, an expert's record, status changes and statistics (no Flask)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.errors import UserError
from expertpool.models import (
    AuditEvent,
    Expert,
    Meeting,
    Panel,
    PanelSeat,
    PoolMembership,
    ServiceRecord,
    Unit,
)
from expertpool.seeds import SeedSequence
from expertpool.services import pool as pool_svc
from expertpool.services.nominations import Actor, year_committees
from expertpool.validators import make_id_card
from tests.builders import ZJJ, add_unit

NOW = datetime(2024, 7, 1, 10, 0, 0)
BUREAU = Actor("rsj", "bureau")


def make_expert(
    session: Session,
    unit: Unit,
    name: str,
    seq: int,
    *,
    rank: str = "正高级",
    status: str = "在库",
    specialties: list[str] | None = None,
    committee_ids: list[int] | None = None,
) -> Expert:
    e = Expert(
        code=f"E{seq:06d}",
        name=name,
        gender="男",
        birth_year=1970,
        id_card=make_id_card(f"21020419700101{seq:03d}"),
        unit_id=unit.id,
        rank=rank,
        title_name="教授",
        series="工程",
        specialties=specialties or [],
        status=status,
    )
    session.add(e)
    session.flush()
    for cid in committee_ids or []:
        session.add(PoolMembership(committee_id=cid, expert_id=e.id))
    session.flush()
    return e


@pytest.fixture
def unit(session: Session) -> Unit:
    return add_unit(session)


def test_names_sorted_by_pinyin_with_surname_readings(session: Session, unit: Unit) -> None:
    names = ["曾小明", "张三", "单田芳", "解放", "仇英", "区伟", "陈一", "蔡二"]
    for i, name in enumerate(names, start=1):
        make_expert(session, unit, name, i)
    got = [e.name for e in pool_svc.search_pool(session, pool_svc.PoolFilter())]
    assert got == ["蔡二", "陈一", "区伟", "仇英", "单田芳", "解放", "曾小明", "张三"]


def test_filters(session: Session, unit: Unit) -> None:
    c1, c2 = year_committees(session, 2024)[:2]
    other = add_unit(session, "另一单位", "87654321")
    make_expert(session, unit, "王一", 1, committee_ids=[c1.id], specialties=["城乡规划"])
    make_expert(
        session, unit, "王二", 2, rank="副高级", committee_ids=[c2.id], specialties=["计量"]
    )
    make_expert(
        session, other, "李三", 3, status="暂停", committee_ids=[c1.id, c2.id], specialties=["计量"]
    )

    def names(**kw: object) -> list[str]:
        return [e.name for e in pool_svc.search_pool(session, pool_svc.PoolFilter(**kw))]

    assert names(committee_id=c1.id) == ["李三", "王一"]
    assert names(rank="副高级") == ["王二"]
    assert names(status="暂停") == ["李三"]
    assert names(unit_id=other.id) == ["李三"]
    assert names(specialty="计量") == ["李三", "王二"]
    assert names(q="王") == ["王二", "王一"] or names(q="王") == ["王一", "王二"]
    assert names(q="E000003") == ["李三"]
    with pytest.raises(UserError):
        pool_svc.search_pool(session, pool_svc.PoolFilter(rank="特级"))


def test_paginate() -> None:
    page = pool_svc.paginate(list(range(120)), 3, 50)
    assert (
        page.items == list(range(100, 120))
        and page.pages == 3
        and page.has_prev
        and not page.has_next
    )
    assert pool_svc.paginate([], 5).page == 1
    assert pool_svc.paginate(list(range(10)), 99, 5).page == 2


def test_change_status_requires_reason_and_is_audited(session: Session, unit: Unit) -> None:
    e = make_expert(session, unit, "王一", 1)
    with pytest.raises(UserError, match="理由"):
        pool_svc.change_status(session, BUREAU, e.id, "暂停", " ", now=NOW)
    with pytest.raises(UserError, match="状态无效"):
        pool_svc.change_status(session, BUREAU, e.id, "待审核", "x", now=NOW)
    with pytest.raises(UserError, match="已是"):
        pool_svc.change_status(session, BUREAU, e.id, "在库", "x", now=NOW)
    with pytest.raises(UserError):
        pool_svc.change_status(session, Actor("u", "regulator"), e.id, "暂停", "x", now=NOW)
    pool_svc.change_status(session, BUREAU, e.id, "黑名单", "评审中违反纪律", now=NOW)
    assert e.status == "黑名单"
    pool_svc.change_status(session, BUREAU, e.id, "在库", "申诉成立，恢复", now=NOW)
    record = pool_svc.expert_record(session, e.id)
    assert [(c.old_status, c.new_status) for c in record.status_changes] == [
        ("在库", "黑名单"),
        ("黑名单", "在库"),
    ]
    ev = session.scalars(select(AuditEvent).where(AuditEvent.action == "expert_status")).all()
    assert len(ev) == 2 and ev[0].detail["reason"] == "评审中违反纪律"


def test_expert_record_history(session: Session, unit: Unit) -> None:
    c1 = year_committees(session, 2024)[0]
    e = make_expert(session, unit, "王一", 1, committee_ids=[c1.id])
    session.add_all(
        [
            ServiceRecord(expert_id=e.id, committee_id=c1.id, year=2022, attended=True),
            ServiceRecord(
                expert_id=e.id, committee_id=c1.id, year=2023, attended=False, note="未请假缺席"
            ),
        ]
    )
    meeting = session.scalars(select(Meeting).where(Meeting.committee_id == c1.id)).first()
    panel = Panel(
        meeting_id=meeting.id,
        status="sealed",
        seed="s",
        instance_sha256="0" * 64,
        package_json="{}",
        result_json="{}",
    )
    panel.seats.append(
        PanelSeat(expert_id=e.id, role="member", position=1, state="declined", reason="出差")
    )
    session.add(panel)
    session.flush()
    r = pool_svc.expert_record(session, e.id)
    assert [c.id for c in r.committees] == [c1.id]
    assert len(r.services) == 2 and [s.year for s in r.no_shows] == [2023]
    assert (
        r.seats[0].role == "评委"
        and r.seats[0].state == "请辞"
        and r.seats[0].panel_status == "已锁定"
    )
    assert r.expert.masked_id_card.count("*") == 8
    with pytest.raises(UserError):
        pool_svc.expert_record(session, 99999)


def test_pool_composition(session: Session, unit: Unit) -> None:
    c1 = year_committees(session, 2024)[0]
    make_expert(session, unit, "王一", 1, committee_ids=[c1.id])
    make_expert(session, unit, "王二", 2, rank="副高级", committee_ids=[c1.id])
    make_expert(session, unit, "王三", 3, status="退出", committee_ids=[c1.id])
    comp = {c.committee_id: c for c in pool_svc.pool_composition(session, 2024)}
    assert (
        comp[c1.id].total == 2
        and comp[c1.id].full_senior == 1
        and comp[c1.id].full_senior_share == 0.5
    )
    assert len(comp) == 30


def test_expert_record_hides_panels_until_the_meeting_ends(demo_db, seeds: SeedSequence) -> None:
    from datetime import date

    from sqlalchemy import select

    from expertpool.db import make_session_factory, session_scope
    from expertpool.models import Meeting, PanelSeat
    from expertpool.services import panels

    with session_scope(make_session_factory(demo_db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == "2024-S01"))
        meeting.settings = {"panel_size": 5, "min_full_senior_share": "1/5"}
        panel = panels.draw_meeting(s, meeting, ZJJ, seeds=seeds)
        assert panel.status == "drawn"
        seat = s.scalar(
            select(PanelSeat).where(PanelSeat.panel_id == panel.id, PanelSeat.role == "member")
        )
        during = pool_svc.expert_record(s, seat.expert_id, today=date(2024, 10, 25))
        after = pool_svc.expert_record(s, seat.expert_id, today=date(2024, 11, 1))
    # (Service before 2024 is the demo's synthetic history; only 2024's is confidential.)
    assert during.seats == [] and [r for r in during.services if r.year == 2024] == []
    assert [r.meeting_code for r in after.seats] == ["2024-S01"]
