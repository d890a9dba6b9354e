"""The notice: a committee's template filled per person, and the outbox.

A notice names only its addressee, the committee and the meeting: never another member, an
alternate or an applicant. With no SMS gateway configured nothing is sent: the outbox rows
are ``manual`` and the outbox is the office's call list (printable, xlsx); each call is then
recorded by hand on the 通知与确认 page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import (
    Committee,
    Meeting,
    NoticeDeadline,
    NoticeState,
    NoticeTemplate,
    OutboxMessage,
    Panel,
    PanelSeat,
)
from expertpool.services import audit
from expertpool.services.notices.record import refuse_closed

TEMPLATE_FIELDS = {
    "meeting_time": "例会时间",
    "place": "地点",
    "check_in": "报到要求",
    "confidentiality": "保密要求",
    "reply_how": "回复方式",
}
DEFAULTS = {
    "confidentiality": "评委身份和评审内容须严格保密，不得向任何单位和个人透露",
    "reply_how": "请在答复截止时间前回电本办事机构，确认参加或说明不能参加的原因",
}
MAX_FIELD_CHARS = 200
OUTBOX_STATES = {
    "manual": "通话名单（未发送）",
    "queued": "待发送",
    "claimed": "发送中",
    "sent": "已发送",
    "failed": "发送失败",
}


def template_of(session: Session, committee: Committee) -> NoticeTemplate:
    """The committee's template, or the defaults (not added to the session)."""
    row = session.get(NoticeTemplate, committee.id)
    if row is not None:
        return row
    return NoticeTemplate(
        committee_id=committee.id, **{k: DEFAULTS.get(k, "") for k in TEMPLATE_FIELDS}
    )


def _clean(fields: dict[str, str]) -> dict[str, str]:
    out = {}
    for key, label in TEMPLATE_FIELDS.items():
        value = " ".join((fields.get(key) or "").split())  # one line: an SMS has no layout
        if len(value) > MAX_FIELD_CHARS:
            raise UserError(f"{label}不能超过{MAX_FIELD_CHARS}个字符", field=key)
        out[key] = value
    for key in ("place", "reply_how"):
        if not out[key]:
            raise UserError(f"请填写{TEMPLATE_FIELDS[key]}", field=key)
    return out


def save_template(
    session: Session,
    panel: Panel,
    fields: dict[str, str],
    actor: Actor,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> NoticeTemplate:
    """Save the template of the panel's committee (edited from one of its panels)."""
    clean = _clean(fields)
    committee = panel.meeting.committee
    row = session.get(NoticeTemplate, committee.id)
    if row is None:
        row = NoticeTemplate(committee_id=committee.id)
        session.add(row)
    for key, value in clean.items():
        setattr(row, key, value)
    row.updated_by = actor.username
    row.updated_at = clock.utcnow()
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "notice_template",
        panel.meeting.code,
        {"panel": panel.id, "committee": committee.name},
    )
    return row


def _meeting_time(meeting: Meeting, template: NoticeTemplate) -> str:
    if template.meeting_time:
        return template.meeting_time
    start, end = meeting.window_start, meeting.window_end
    return f"{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日"


def notice_text(
    meeting: Meeting, template: NoticeTemplate, name: str, deadline: datetime | None
) -> str:
    """The notice for one person: their name and the meeting's facts, nobody else's name."""
    parts = [
        f"{name}专家：您好！您已被抽选为{meeting.committee.name}{meeting.year}年度评审会评委。",
        f"例会时间：{_meeting_time(meeting, template)}。",
        f"地点：{template.place or '另行通知'}。",
    ]
    if template.check_in:
        parts.append(f"报到要求：{template.check_in}。")
    parts.append(f"保密要求：{template.confidentiality or DEFAULTS['confidentiality']}。")
    parts.append(f"回复方式：{template.reply_how or DEFAULTS['reply_how']}。")
    if deadline is not None:
        parts.append(f"请于{deadline.month}月{deadline.day}日{deadline:%H:%M}前答复。")
    return "".join(parts)


def _to_notify(session: Session, panel: Panel) -> list[PanelSeat]:
    """Active members not yet told and without a message: the replacements after a 请辞 too."""
    told = set(
        session.scalars(
            select(NoticeState.seat_id).where(
                NoticeState.panel_id == panel.id, NoticeState.state != "pending"
            )
        )
    )
    queued = set(
        session.scalars(select(OutboxMessage.seat_id).where(OutboxMessage.panel_id == panel.id))
    )
    seats = [s for s in panel.seats if s.role == "member" and s.state == "active"]
    return sorted(
        (s for s in seats if s.id not in told and s.id not in queued), key=lambda s: s.position
    )


def _add_once(session: Session, message: OutboxMessage) -> bool:
    """Insert one message; a concurrent send of the same seat loses on the unique key."""
    try:
        with session.begin_nested():
            session.add(message)
        return True
    except IntegrityError:
        return False


@dataclass(frozen=True)
class SendOutcome:
    created: int
    gateway: bool
    message: str


def send_notices(
    session: Session,
    panel: Panel,
    actor: Actor,
    *,
    gateway: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> SendOutcome:
    """Put one notice per member not yet told into the outbox: queued for the worker to send
    when a gateway is configured, else the call list (nothing is sent)."""
    refuse_closed(panel)
    # Lock the panel's row first (a write), so two sends at once run one after the other
    # and the second sees the first's messages: one send, each notice once.
    session.execute(
        update(Panel)
        .where(Panel.id == panel.id)
        .values(status=Panel.status)
        .execution_options(synchronize_session=False)
    )
    template = template_of(session, panel.meeting.committee)
    row = session.get(NoticeDeadline, panel.id)
    deadline = row.deadline if row else None
    created = 0
    for seat in _to_notify(session, panel):
        message = OutboxMessage(
            panel_id=panel.id,
            seat_id=seat.id,
            phone=seat.expert.phone,
            body=notice_text(panel.meeting, template, seat.expert.name, deadline),
            state="queued" if gateway else "manual",
            reply_code=secrets.token_hex(6) if gateway else "",
            idempotency_key=f"ep-notice-{panel.id}-{seat.id}",
            created_by=actor.username,
            created_at=clock.utcnow(),
        )
        created += _add_once(session, message)
    if created == 0:
        raise UserError("没有需要通知的评委：每位在任评委都已通知或已列入通话名单", field="panel")
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "notice_send",
        panel.meeting.code,
        {"panel": panel.id, "count": created, "gateway": gateway},
    )
    if gateway:
        text = f"已生成{created}条通知短信，由后台任务进程通过短信平台发送；答复将自动登记"
    else:
        text = (
            f"未配置短信平台，未发送任何短信：已将{created}名评委列入通话名单，"
            "请逐一电话通知，并在本页登记每次通话"
        )
    return SendOutcome(created, gateway, text)


def outbox(session: Session, panel: Panel) -> list[tuple[OutboxMessage, PanelSeat]]:
    rows = session.execute(
        select(OutboxMessage, PanelSeat)
        .join(PanelSeat, PanelSeat.id == OutboxMessage.seat_id)
        .where(OutboxMessage.panel_id == panel.id)
        .order_by(OutboxMessage.id)
    ).all()
    return [(m, s) for m, s in rows]
