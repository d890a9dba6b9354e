"""`expertpool notify list|send|record MEETING …`: the 通知与确认 page for offices that
script; thin adapters over expertpool.services.notices (same checks, same audit events)."""

from __future__ import annotations

import argparse
from typing import Any

from expertpool.actor import Actor
from expertpool.errors import UserError

CLI_ACTOR = Actor("命令行", "office")


def _panel(session: Any, code: str) -> Any:
    from sqlalchemy import select

    from expertpool.models import Meeting
    from expertpool.services import panels

    meeting = session.scalar(select(Meeting).where(Meeting.code == code))
    if meeting is None:
        raise UserError(f"找不到例会“{code}”", field="meeting")
    panel = panels.current_panel(session, meeting)
    if panel is None:
        raise UserError(f"例会{code}尚未抽取评委", field="meeting")
    return panel


def _line(i: int, row: Any) -> str:
    e = row.seat.expert
    last = row.attempts[-1] if row.attempts else None
    when = f"  最近联系：{last.at:%Y-%m-%d %H:%M}（UTC）{last.recorded_by}" if last else ""
    return f"{i:>2}. {e.code}  {e.name}  {e.phone or '（未登记电话）'}  {row.label}{when}"


def cmd_list(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_database
    from expertpool.services import notices, panels

    _, factory = open_database()
    with factory() as s:
        panel = _panel(s, args.meeting)
        b = notices.board(s, panel)
        print(f"{args.meeting} 通知与确认：已确认 {b.confirmed} / {b.total}")
        if b.next_up is not None:
            print(f"下一位应联系：{b.next_up.seat.expert.name}（{b.next_up.seat.expert.code}）")
        print("评委：")
        for i, row in enumerate(b.members, start=1):
            print(_line(i, row))
        print("备选专家（按递补顺序）：")
        for i, row in enumerate(b.alternates, start=1):
            print(_line(i, row))
        panels.log_view(s, panel, CLI_ACTOR, what="通知与确认名单（含联系电话）")
        s.commit()
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_database
    from expertpool.services import notices
    from expertpool.services.notices.gateway import gateway_from_env

    _, factory = open_database()
    with factory() as s:
        panel = _panel(s, args.meeting)
        out = notices.send_notices(s, panel, CLI_ACTOR, gateway=gateway_from_env() is not None)
        s.commit()
    print(out.message)
    return 0


def _row(board: Any, code: str) -> Any:
    for row in [*board.members, *board.alternates]:
        if row.seat.expert.code == code and row.seat.state == "active":
            return row
    raise UserError(f"“{code}”不是本名单的在任评委或备选专家", field="expert")


def cmd_record(args: argparse.Namespace) -> int:
    from expertpool.runtime import open_database
    from expertpool.services import notices

    _, factory = open_database()
    with factory() as s:
        panel = _panel(s, args.meeting)
        row = _row(notices.board(s, panel), args.expert)
        message = notices.record_reply(
            s, panel, row.seat.id, args.outcome, args.channel, args.note, row.version, CLI_ACTOR
        )
        s.commit()
    print(message)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("notify", help="通知与确认：通话名单、生成通知、登记答复")
    verbs = p.add_subparsers(dest="verb", required=True)
    ls = verbs.add_parser("list", help="列出评委和备选专家的通知状态与联系记录")
    ls.add_argument("meeting", metavar="MEETING", help="例会编号，如 2024-S01")
    ls.set_defaults(func=cmd_list)
    send = verbs.add_parser("send", help="为尚未通知的评委生成通知（未配置短信平台时为通话名单）")
    send.add_argument("meeting", metavar="MEETING")
    send.set_defaults(func=cmd_send)
    rec = verbs.add_parser("record", help="登记一次联系及其结果（请辞即办理请辞递补）")
    rec.add_argument("meeting", metavar="MEETING")
    rec.add_argument("expert", metavar="EXPERT", help="专家编号，如 E000123")
    rec.add_argument(
        "--outcome",
        required=True,
        choices=["notified", "confirmed", "declined", "unreachable"],
        help="notified=已通知 confirmed=确认参加 declined=请辞 unreachable=未接通",
    )
    rec.add_argument(
        "--channel", default="phone", choices=["phone", "sms", "in_person"], help="联系方式"
    )
    rec.add_argument("--note", default="", help="备注；请辞时为请辞理由（必填）")
    rec.set_defaults(func=cmd_record)
