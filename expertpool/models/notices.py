"""Notify and confirm (通知与确认): per seat of a drawn panel, its notice state and every
contact attempt; per panel, the office's deadline to answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from expertpool.models.base import Base, utcnow


class NoticeState(Base):
    """The current answer of one seat. Changed only by a conditional update on ``version``
    (two offices recording the same reply: one wins)."""

    __tablename__ = "notice_states"
    __table_args__ = (UniqueConstraint("seat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("panel_seats.id"))
    # pending | notified | confirmed | declined | unreachable
    state: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime | None] = mapped_column(default=None)


class NoticeAttempt(Base):
    """One contact: when (UTC, by the app clock), how, what came of it, who recorded it."""

    __tablename__ = "notice_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("panel_seats.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # phone | sms | in_person | gateway
    outcome: Mapped[str] = mapped_column(String(20))  # notified|confirmed|declined|unreachable
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(60), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeDeadline(Base):
    """The office's deadline to answer (Beijing wall-clock time, naive)."""

    __tablename__ = "notice_deadlines"

    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), primary_key=True)
    deadline: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(String(60), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeTemplate(Base):
    """A committee's notice (例会时间、地点、报到要求、保密要求、回复方式), filled per person."""

    __tablename__ = "notice_templates"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), primary_key=True)
    meeting_time: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    check_in: Mapped[str] = mapped_column(String(200), default="")
    confidentiality: Mapped[str] = mapped_column(String(200), default="")
    reply_how: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """One notice to one seat. With no gateway configured it is ``manual``: a line of the call
    list, told by phone and recorded by hand. ``idempotency_key`` is unique, so a message is
    queued once per seat and a gateway can refuse a second delivery of the same key."""

    __tablename__ = "notice_outbox"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("panel_seats.id"))
    phone: Mapped[str] = mapped_column(String(30), default="")
    body: Mapped[str] = mapped_column(Text)
    # manual | queued | claimed | sent | failed
    state: Mapped[str] = mapped_column(String(20), default="manual")
    idempotency_key: Mapped[str] = mapped_column(String(80))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    reply_code: Mapped[str] = mapped_column(String(40), default="")  # echoed by the callback
    next_try_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    replied_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
