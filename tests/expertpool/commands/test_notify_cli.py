"""`expertpool notify list|send|record`: the same services as the 通知与确认 page."""

from __future__ import annotations

from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent
from expertpool.seeds import SeedSequence
from expertpool.services import panels as svc
from tests.builders import S01, ZJJ, small_meeting


def test_notify_list_send_record(demo_db: Engine, runner, seeds: SeedSequence) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        p = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
        result = svc.result_of(p)
    members = result["members"]
    listed = runner("notify", "list", S01)
    assert listed.code == 0 and f"已确认 0 / {len(members)}" in listed.out
    assert "下一位应联系：" in listed.out and members[0] in listed.out
    sent = runner("notify", "send", S01)
    assert sent.code == 0 and "未配置短信平台，未发送任何短信" in sent.out
    again = runner("notify", "send", S01)
    assert again.code == 2 and "没有需要通知的评委" in again.err
    ok = runner("notify", "record", S01, members[0], "--outcome", "confirmed")
    assert ok.code == 0 and "确认参加（电话）" in ok.out
    leaving = next(m for m in members if m not in result["uncovered"] and m != members[0])
    bad = runner("notify", "record", S01, leaving, "--outcome", "declined")
    assert bad.code == 2 and "请填写请辞理由" in bad.err
    dec = runner("notify", "record", S01, leaving, "--outcome", "declined", "--note", "出差")
    assert dec.code == 0 and "请辞，由备选专家递补" in dec.out
    listed = runner("notify", "list", S01)
    assert f"已确认 1 / {len(members)}" in listed.out and "请辞（出差）" in listed.out
    assert "待通知" in listed.out
    assert runner("notify", "list", "2099-X").code == 2
    with session_scope(make_session_factory(demo_db)) as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.username == "命令行")))
        assert {"notice_send", "notice_reply", "panel_decline", "panel_view"} <= set(actions)
