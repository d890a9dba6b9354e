"""暂停至: a suspension with an end date, validated against the injected clock; the expert is
drawable again from the day after, in packages (and so draws) and in the shortfall report."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.clock import FixedClock
from expertpool.errors import UserError
from expertpool.models import AuditEvent, Expert
from expertpool.seeds import SeedSequence
from expertpool.services import panels as svc
from expertpool.services import pool as pool_svc
from expertpool.services.packages import build_package
from expertpool.services.shortfall import shortfall_report
from tests.builders import RSJ, S01, ZJJ, small_meeting

NOW = datetime(2024, 7, 1, 10, 0, 0)  # Beijing time, as the web passes it
UNTIL = date(2024, 9, 30)


def _pooled(s: Session) -> Expert:
    meeting = small_meeting(s, S01)
    expert = s.scalar(
        select(Expert)
        .where(Expert.status == "在库", Expert.memberships.any(committee_id=meeting.committee_id))
        .order_by(Expert.code)
    )
    assert expert is not None
    return expert


def _available(s: Session, code: str, today: date | None) -> bool:
    meeting = small_meeting(s, S01)
    (entry,) = [e for e in build_package(s, meeting, today=today)["experts"] if e["id"] == code]
    return bool(entry["available"])


def test_end_date_is_validated_by_the_clock(demo_session: Session) -> None:
    e = _pooled(demo_session)
    for until in (date(2024, 7, 1), date(2024, 6, 30)):  # today or earlier
        with pytest.raises(UserError, match="须晚于今天（2024-07-01）") as err:
            pool_svc.change_status(demo_session, RSJ, e.id, "暂停", "病假", now=NOW, until=until)
        assert err.value.field == "until"
    with pytest.raises(UserError, match="只有“暂停”"):
        pool_svc.change_status(demo_session, RSJ, e.id, "退出", "调离", now=NOW, until=UNTIL)
    assert e.status == "在库" and e.suspended_until is None  # nothing changed


def test_suspension_until_a_date_is_stored_audited_and_cleared(demo_session: Session) -> None:
    s = demo_session
    e = _pooled(s)
    pool_svc.change_status(s, RSJ, e.id, "暂停", "出国访学", now=NOW, until=UNTIL)
    assert (e.status, e.suspended_until) == ("暂停", UNTIL)
    event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "expert_status"
    assert event.detail == {
        "old": "在库",
        "new": "暂停",
        "reason": "出国访学",
        "until": "2024-09-30",
    }
    pool_svc.change_status(s, RSJ, e.id, "在库", "提前回国", now=NOW)
    assert (e.status, e.suspended_until) == ("在库", None)


def test_available_again_from_the_day_after(demo_session: Session) -> None:
    s = demo_session
    e = _pooled(s)
    pool_svc.change_status(s, RSJ, e.id, "暂停", "出国访学", now=NOW, until=UNTIL)
    assert not _available(s, e.code, date(2024, 9, 30))  # the last day is still suspended
    assert _available(s, e.code, date(2024, 10, 1))
    assert not _available(s, e.code, None)  # no date given: the suspension lasts
    # another expert of the same pool (ordered: without it PostgreSQL may return any row,
    # and one outside this committee's pool is not in the package)
    pool = small_meeting(s, S01).committee_id
    other = s.scalar(
        select(Expert)
        .where(
            Expert.id != e.id,
            Expert.status == "在库",
            Expert.memberships.any(committee_id=pool),
        )
        .order_by(Expert.code)
    )
    assert other is not None
    pool_svc.change_status(s, RSJ, other.id, "暂停", "无期限", now=NOW)
    assert not _available(s, other.code, date(2030, 1, 1))  # no end date: until lifted by hand


def test_a_draw_uses_its_clock_for_lapsed_suspensions(
    demo_session: Session, seeds: SeedSequence
) -> None:
    s = demo_session
    e = _pooled(s)
    pool_svc.change_status(s, RSJ, e.id, "暂停", "出国访学", now=NOW, until=UNTIL)
    meeting = small_meeting(s, S01)

    def drawn_on(day: datetime) -> bool:
        panel = svc.draw_meeting(
            s, meeting, ZJJ, seeds=seeds, reason="测试重新抽取", clock=FixedClock(day)
        )
        (entry,) = [x for x in json.loads(panel.package_json)["experts"] if x["id"] == e.code]
        return bool(entry["available"])

    assert not drawn_on(datetime(2024, 9, 30, 2, 0))  # 10:00 on 30 Sep in Beijing
    assert drawn_on(datetime(2024, 9, 30, 17, 0))  # 01:00 on 1 Oct in Beijing


def test_shortfall_counts_a_lapsed_suspension(demo_session: Session) -> None:
    s = demo_session
    e = _pooled(s)
    before = {c.meeting_code: c.eligible_total for c in shortfall_report(s, 2024)}
    pool_svc.change_status(s, RSJ, e.id, "暂停", "出国访学", now=NOW, until=UNTIL)
    during = {c.meeting_code: c.eligible_total for c in shortfall_report(s, 2024, today=UNTIL)}
    after = {
        c.meeting_code: c.eligible_total for c in shortfall_report(s, 2024, today=date(2024, 10, 1))
    }
    assert during[S01] == before[S01] - 1
    assert after == before
