"""Sending the outbox through the gateway, from the worker, each message once.

A message moves queued → claimed → sent, each step a conditional update checked by its row
count, so two workers never take the same message. The gateway call happens between two
committed steps: a worker that dies after sending and before marking sent leaves the message
claimed; once the claim is stale another worker sends it again with the same idempotency
key, which the gateway delivers only once. A failed send is retried with a growing delay
(by the injected clock) and after MAX_TRIES shown as failed with the gateway's message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.models import NoticeAttempt, NoticeState, OutboxMessage, Panel
from expertpool.services import audit
from expertpool.services.notices.gateway import Gateway, GatewayError, Sms
from expertpool.services.notices.record import ensure_state

MAX_TRIES = 3
BACKOFF_SECONDS = 30  # 30 s, then 60 s, then 120 s …
STALE_CLAIM_SECONDS = 120
SYSTEM_USER = "短信平台"


def _due(session: Session, now: datetime) -> OutboxMessage | None:
    stale = now - timedelta(seconds=STALE_CLAIM_SECONDS)
    return session.scalars(
        select(OutboxMessage)
        .where(
            or_(
                and_(
                    OutboxMessage.state == "queued",
                    or_(OutboxMessage.next_try_at.is_(None), OutboxMessage.next_try_at <= now),
                ),
                and_(OutboxMessage.state == "claimed", OutboxMessage.claimed_at <= stale),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    ).first()


def _claim(session: Session, message: OutboxMessage, now: datetime) -> bool:
    done = cast(
        CursorResult[Any],
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.state == message.state,
                OutboxMessage.tries == message.tries,
            )
            .values(state="claimed", claimed_at=now, tries=OutboxMessage.tries + 1)
            .execution_options(synchronize_session=False)
        ),
    )
    return done.rowcount == 1


def _mark_notified(session: Session, message: OutboxMessage, now: datetime) -> None:
    """The member has been told: 已通知, unless they answered meanwhile."""
    ensure_state(session, message.panel_id, message.seat_id)
    session.execute(
        update(NoticeState)
        .where(NoticeState.seat_id == message.seat_id, NoticeState.state == "pending")
        .values(state="notified", version=NoticeState.version + 1, updated_by=SYSTEM_USER)
        .execution_options(synchronize_session=False)
    )
    session.add(
        NoticeAttempt(
            panel_id=message.panel_id,
            seat_id=message.seat_id,
            channel="gateway",
            outcome="notified",
            recorded_by=SYSTEM_USER,
            at=now,
        )
    )


def _finish(session: Session, message_id: int, error: str | None, now: datetime) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.state != "claimed":
        return
    panel = session.get(Panel, message.panel_id)
    code = panel.meeting.code if panel else ""
    detail: dict[str, Any]
    if error is None:
        message.state, message.sent_at, message.error = "sent", now, ""
        _mark_notified(session, message, now)
        action, detail = "notice_sms_sent", {"panel": message.panel_id, "message": message.id}
    elif message.tries >= MAX_TRIES:
        message.state, message.error = "failed", error
        action = "notice_sms_failed"
        detail = {"panel": message.panel_id, "message": message.id, "error": error}
    else:
        message.state, message.error = "queued", error
        message.next_try_at = now + timedelta(seconds=BACKOFF_SECONDS * 2 ** (message.tries - 1))
        return
    session.flush()
    audit.record(session, SYSTEM_USER, "", action, code, detail)


def deliver_one(
    factory: sessionmaker[Session],
    gateway: Gateway,
    *,
    clock: Clock = SYSTEM_CLOCK,
    after_send: Callable[[], None] | None = None,
) -> bool:
    """Send the next due message, if any; returns whether one was taken. `after_send` is
    for tests: called between the gateway's answer and marking the message sent."""
    with factory() as s:
        message = _due(s, clock.utcnow())
        if message is None or not _claim(s, message, clock.utcnow()):
            s.rollback()
            return message is not None
        s.commit()
        sms = Sms(
            message.id, message.idempotency_key, message.phone, message.body, message.reply_code
        )
    error: str | None = None
    try:
        gateway.send(sms)
    except GatewayError as exc:
        error = exc.message
    if after_send is not None:
        after_send()
    with factory() as s:
        _finish(s, sms.message_id, error, clock.utcnow())
        s.commit()
    return True


def deliver_due(
    factory: sessionmaker[Session], gateway: Gateway, *, clock: Clock = SYSTEM_CLOCK
) -> int:
    """Send every message due now; returns how many were taken."""
    taken = 0
    while deliver_one(factory, gateway, clock=clock):
        taken += 1
    return taken
