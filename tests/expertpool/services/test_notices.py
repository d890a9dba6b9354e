"""通知与确认 service: the call list, replies by conditional update, a 请辞 being the existing
decline (same replacement, same declines record, same replay), the deadline, the timeline."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory, session_scope
from expertpool.errors import UserError
from expertpool.models import AuditEvent, Meeting, NoticeAttempt, Panel, PanelSeat
from expertpool.seeds import SeedSequence
from expertpool.services import notices
from expertpool.services import panels as svc
from expertpool.services.timeline import meeting_timeline
from solver.replace import replace_members
from tests.builders import S01, ZJJ, small_meeting


class FixedClock:
    def __init__(self, local: datetime) -> None:
        self.local = local

    def shanghai_now(self) -> datetime:
        return self.local

    def utcnow(self) -> datetime:
        return self.local.replace(hour=self.local.hour - 8)


CLOCK = FixedClock(datetime(2024, 7, 1, 10, 0, 0))


@pytest.fixture
def panel(demo_session: Session, seeds: SeedSequence) -> Panel:
    p = svc.draw_meeting(demo_session, small_meeting(demo_session), ZJJ, seeds=seeds)
    assert p.status == "drawn"
    return p


def _row(s: Session, p: Panel, code: str, role: str = "member") -> notices.Row:
    b = notices.board(s, p)
    return next(
        r
        for r in [*b.members, *b.alternates]
        if r.seat.expert.code == code and r.seat.role == role and r.seat.state == "active"
    )


def _reply(s: Session, p: Panel, code: str, outcome: str, note: str = "") -> str:
    r = _row(s, p, code)
    return notices.record_reply(
        s, p, r.seat.id, outcome, "phone", note, r.version, ZJJ, clock=CLOCK
    )


def test_board_lists_members_then_alternates_in_order(demo_session: Session, panel: Panel):
    b = notices.board(demo_session, panel)
    result = svc.result_of(panel)
    assert [r.seat.expert.code for r in b.members] == result["members"]
    assert [r.seat.expert.code for r in b.alternates] == result["alternates"]
    assert {r.label for r in b.members} == {"未通知"}
    assert (b.confirmed, b.total) == (0, len(result["members"]))
    assert b.next_up is not None and b.next_up.seat.expert.code == result["members"][0]


def test_replies_change_state_and_next_up(demo_session: Session, panel: Panel):
    s, members = demo_session, svc.result_of(panel)["members"]
    assert "确认参加" in _reply(s, panel, members[0], "confirmed")
    _reply(s, panel, members[1], "unreachable")
    _reply(s, panel, members[2], "notified")
    b = notices.board(s, panel)
    labels = {r.seat.expert.code: r.label for r in b.members}
    assert labels[members[0]] == "确认参加" and labels[members[1]] == "未接通"
    assert labels[members[2]] == "已通知" and b.confirmed == 1
    # Not yet told comes before not reached; the told one is waiting.
    assert b.next_up is not None and b.next_up.seat.expert.code == members[3]
    assert [r.seat.expert.code for r in b.waiting] == [members[2]]
    first = _row(s, panel, members[0])
    assert [(a.channel, a.outcome, a.recorded_by) for a in first.attempts] == [
        ("phone", "confirmed", "zjj")
    ]
    assert first.attempts[0].at == datetime(2024, 7, 1, 2, 0, 0)  # the app clock, in UTC
    unconfirmed = [x.expert.code for x in notices.unconfirmed_members(s, panel)]
    assert members[0] not in unconfirmed and members[1] in unconfirmed


def test_a_stale_version_is_refused_and_changes_nothing(demo_session: Session, panel: Panel):
    s, code = demo_session, svc.result_of(panel)["members"][0]
    r = _row(s, panel, code)
    notices.record_reply(s, panel, r.seat.id, "confirmed", "phone", "", 0, ZJJ, clock=CLOCK)
    count = s.scalar(select(func.count()).select_from(NoticeAttempt))
    with pytest.raises(UserError, match="已由他人更新（现为：确认参加）"):
        notices.record_reply(s, panel, r.seat.id, "unreachable", "phone", "", 0, ZJJ, clock=CLOCK)
    assert s.scalar(select(func.count()).select_from(NoticeAttempt)) == count


def test_bad_input_is_refused(demo_session: Session, panel: Panel):
    s = demo_session
    result = svc.result_of(panel)
    r = _row(s, panel, result["members"][0])
    with pytest.raises(UserError, match="答复结果"):
        notices.record_reply(s, panel, r.seat.id, "maybe", "phone", "", 0, ZJJ)
    with pytest.raises(UserError, match="联系方式"):
        notices.record_reply(s, panel, r.seat.id, "confirmed", "fax", "", 0, ZJJ)
    with pytest.raises(UserError, match="请辞理由"):
        notices.record_reply(s, panel, r.seat.id, "declined", "phone", " ", 0, ZJJ)
    alt = _row(s, panel, result["alternates"][0], "alternate")
    with pytest.raises(UserError, match="备选专家不登记请辞"):
        notices.record_reply(s, panel, alt.seat.id, "declined", "phone", "忙", 0, ZJJ)
    with pytest.raises(UserError, match="已不在本名单"):
        notices.record_reply(s, panel, 10**9, "confirmed", "phone", "", 0, ZJJ)


def test_a_decline_here_is_the_existing_decline(demo_session: Session, panel: Panel):
    s = demo_session
    before = svc.result_of(panel)
    leaving = next(m for m in before["members"] if m not in before["uncovered"])
    # What `expertpool replace` computes from the stored files, before the decline.
    by_cli = replace_members(svc.package_of(panel), svc.result_bytes(panel), [leaving], 1)
    message = _reply(s, panel, leaving, "declined", "出差无法参会")
    after = svc.result_of(panel)
    assert "请辞" in message
    for key in ("members", "alternates", "replacements", "status"):
        assert after[key] == by_cli[key], key
    assert after["declines"] == [{"declined": [leaving], "unavailable": []}]
    assert svc.replay(s, panel).same
    events = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events[-2:] == ["notice_reply", "panel_decline"]
    b = notices.board(s, panel)
    by = after["replacements"][-1]["by"]
    incoming = next(r for r in b.members if r.seat.expert.code == by)
    assert incoming.is_member and incoming.label == "待通知"
    gone = next(r for r in b.members if r.seat.expert.code == leaving)
    assert gone.label == "请辞（出差无法参会）" and not gone.is_member
    used = next(r for r in b.alternates if r.seat.expert.code == by)
    assert used.label == "已递补为评委"


def test_sealed_panels_refuse_replies_and_deadlines(demo_session: Session, panel: Panel):
    s = demo_session
    r = _row(s, panel, svc.result_of(panel)["members"][0])
    svc.seal(s, panel, ZJJ)
    with pytest.raises(UserError, match="已锁定"):
        notices.record_reply(s, panel, r.seat.id, "confirmed", "phone", "", 0, ZJJ)
    with pytest.raises(UserError, match="已锁定"):
        notices.set_deadline(s, panel, datetime(2024, 7, 2, 12, 0), ZJJ, clock=CLOCK)


def test_deadline_is_checked_and_on_the_timeline(demo_session: Session, panel: Panel):
    s = demo_session
    with pytest.raises(UserError, match="不能早于当前时间"):
        notices.set_deadline(s, panel, datetime(2024, 6, 30, 12, 0), ZJJ, clock=CLOCK)
    late = datetime.combine(panel.meeting.window_start, datetime.min.time()).replace(day=1)
    late = late.replace(year=late.year + 1)
    with pytest.raises(UserError, match="不能晚于例会首日"):
        notices.set_deadline(s, panel, late, ZJJ, clock=CLOCK)
    notices.set_deadline(s, panel, datetime(2024, 7, 2, 17, 30), ZJJ, clock=CLOCK)
    _reply(s, panel, svc.result_of(panel)["members"][0], "unreachable", "无人接听")
    b = notices.board(s, panel)
    assert b.deadline is not None and b.overdue(datetime(2024, 7, 2, 18, 0))
    assert not b.overdue(datetime(2024, 7, 2, 17, 0))
    sentences = [e.sentence for e in meeting_timeline(s, panel.meeting)]
    assert "设定答复截止时间：2024-07-02 17:30" in sentences
    assert any(x.startswith("电话联系") and "未接通（无人接听）" in x for x in sentences)


def test_two_tabs_recording_the_same_reply_one_wins(demo_db: Engine, seeds: SeedSequence):
    factory = make_session_factory(demo_db)
    with session_scope(factory) as s:
        p = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
        panel_id = p.id
        seat_id = next(x.id for x in p.seats if x.role == "member")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def tab() -> None:
        s = factory()
        try:
            p = s.get(Panel, panel_id)
            assert p is not None
            barrier.wait()
            notices.record_reply(s, p, seat_id, "confirmed", "phone", "", 0, ZJJ, clock=CLOCK)
            s.commit()
            outcomes.append("ok")
        except UserError as exc:
            s.rollback()
            outcomes.append(exc.message)
        finally:
            s.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "ok" and "已由他人更新" in sorted(outcomes)[1], outcomes
    with session_scope(factory) as s:
        assert s.scalar(select(func.count()).select_from(NoticeAttempt)) == 1
        n = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "notice_reply")
        )
        assert n == 1
        assert s.get(PanelSeat, seat_id) is not None
        assert (
            s.scalar(select(Meeting.code).where(Meeting.id == s.get(Panel, panel_id).meeting_id))
            == S01
        )


def test_notices_name_only_their_addressee(demo_session: Session, panel: Panel):
    from expertpool.models import Applicant, Expert, OutboxMessage

    s = demo_session
    notices.save_template(
        s,
        panel,
        {"place": "市人社局三楼会议室", "reply_how": "回电0411-0000", "check_in": "8:30"},
        ZJJ,
        clock=CLOCK,
    )
    out = notices.send_notices(s, panel, ZJJ, clock=CLOCK)
    assert "未发送任何短信" in out.message
    members = svc.result_of(panel)["members"]
    assert out.created == len(members)
    names = {e.code: e.name for e in s.scalars(select(Expert))}
    on_panel = set(members) | set(svc.result_of(panel)["alternates"])
    applicants = [
        a.name for a in s.scalars(select(Applicant).where(Applicant.meeting_id == panel.meeting_id))
    ]
    for message, seat in notices.outbox(s, panel):
        assert message.state == "manual" and message.phone == seat.expert.phone
        assert message.body.startswith(f"{seat.expert.name}专家：")
        assert "市人社局三楼会议室" in message.body and "报到要求：8:30" in message.body
        for code in on_panel - {seat.expert.code}:
            assert names[code] not in message.body, code
        assert not any(a in message.body for a in applicants)
    with pytest.raises(UserError, match="没有需要通知的评委"):
        notices.send_notices(s, panel, ZJJ, clock=CLOCK)
    # After a 请辞 the replacement, and only it, gets a notice.
    leaving = next(m for m in members if m not in svc.result_of(panel)["uncovered"])
    _reply(s, panel, leaving, "declined", "出差")
    assert notices.send_notices(s, panel, ZJJ, clock=CLOCK).created == 1
    by = svc.result_of(panel)["replacements"][-1]["by"]
    last = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert last is not None and last.body.startswith(f"{names[by]}专家：")
    sentences = [e.sentence for e in meeting_timeline(s, panel.meeting)]
    assert f"生成{len(members)}条通知（未配置短信平台，未发送，列入通话名单）" in sentences


def test_template_is_checked(demo_session: Session, panel: Panel):
    with pytest.raises(UserError, match="请填写地点"):
        notices.save_template(demo_session, panel, {"reply_how": "回电"}, ZJJ)
    with pytest.raises(UserError, match="报到要求不能超过200个字符"):
        notices.save_template(
            demo_session, panel, {"place": "x", "reply_how": "y", "check_in": "长" * 201}, ZJJ
        )


def test_two_sends_at_once_queue_each_notice_once(demo_db: Engine, seeds: SeedSequence):
    from expertpool.models import OutboxMessage

    factory = make_session_factory(demo_db)
    with session_scope(factory) as s:
        p = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
        panel_id, n = p.id, len(svc.result_of(p)["members"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def tab() -> None:
        s = factory()
        try:
            p = s.get(Panel, panel_id)
            assert p is not None
            barrier.wait()
            out = notices.send_notices(s, p, ZJJ, clock=CLOCK)
            s.commit()
            outcomes.append(f"created {out.created}")
        except UserError as exc:
            s.rollback()
            outcomes.append(exc.message)
        finally:
            s.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert f"created {n}" in outcomes, outcomes
    with session_scope(factory) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == n
        sends = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "notice_send")
        )
        assert sends == 1
