"""A reply arriving from the gateway: signed with the shared secret, naming one message and
its reply code. Anything else is refused and changes nothing; the caller learns only
"accepted" or "refused", never anything about the panel.

Body (JSON, UTF-8): {"message_id": 12, "code": "<reply code>", "reply": "1" | "2",
"reason": "…"}; header X-Signature: hex HMAC-SHA256 of the exact body with the secret.
"1" is 确认参加; "2" is 请辞 with its reason (the existing decline).
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import NoticeState, OutboxMessage, Panel
from expertpool.services.notices.deliver import SYSTEM_USER
from expertpool.services.notices.gateway import signature_ok
from expertpool.services.notices.record import record_reply

REPLIES = {"1": "confirmed", "2": "declined"}
GATEWAY_ACTOR = Actor(SYSTEM_USER, "")


class CallbackRefused(Exception):
    """Why a callback was refused (for the log; the caller is told only "refused")."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise CallbackRefused("duplicate key")
    return dict(pairs)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CallbackRefused("not JSON") from exc
    if not isinstance(data, dict):
        raise CallbackRefused("not an object")
    return data


def _message(session: Session, data: dict[str, Any]) -> OutboxMessage:
    mid, code = data.get("message_id"), data.get("code")
    if not isinstance(mid, int) or isinstance(mid, bool) or not isinstance(code, str):
        raise CallbackRefused("fields")
    message = session.get(OutboxMessage, mid)
    if message is None or not message.reply_code:
        raise CallbackRefused("unknown message")
    if not hmac.compare_digest(message.reply_code, code):
        raise CallbackRefused("reply code")
    return message


def _take_reply(session: Session, message: OutboxMessage, now: datetime) -> None:
    """One reply per message: the conditional update refuses a replayed callback."""
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.replied_at.is_(None))
        .values(replied_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        raise CallbackRefused("replayed")


def handle_callback(
    session: Session, secret: str, body: bytes, signature: str, *, clock: Clock = SYSTEM_CLOCK
) -> None:
    """Record the reply, or raise CallbackRefused having changed nothing (the caller rolls
    back)."""
    if not signature_ok(secret, body, signature):
        raise CallbackRefused("signature")
    data = _parse(body)
    message = _message(session, data)
    outcome = REPLIES.get(str(data.get("reply", "")))
    if outcome is None:
        raise CallbackRefused("reply")
    _take_reply(session, message, clock.utcnow())
    panel = session.get(Panel, message.panel_id)
    state = session.scalar(select(NoticeState).where(NoticeState.seat_id == message.seat_id))
    if panel is None:
        raise CallbackRefused("panel")
    reason = str(data.get("reason", "")) or ("短信回复请辞" if outcome == "declined" else "")
    try:
        record_reply(
            session,
            panel,
            message.seat_id,
            outcome,
            "gateway",
            reason,
            state.version if state else 0,
            GATEWAY_ACTOR,
            clock=clock,
        )
    except UserError as exc:  # sealed, no longer on the panel, answered meanwhile …
        raise CallbackRefused(exc.message) from exc
