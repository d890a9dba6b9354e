"""User accounts, roles, and the tamper-evident audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expertpool.models.base import Base, utcnow

if TYPE_CHECKING:  # relationship targets, for the type checker only
    from expertpool.models.registry import Unit


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[str] = mapped_column(String(20))  # unit | bureau | office | regulator
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The sessions' shared secret: a login copies it into the signed cookie and every request
    # compares the two; logout and a password change replace it, so every cookie issued
    # before stops working on every app server ('' until the first login).
    session_token: Mapped[str] = mapped_column(String(64), default="", server_default="")

    unit: Mapped[Unit | None] = relationship()
    committee_links: Mapped[list[UserCommittee]] = relationship(cascade="all, delete-orphan")

    @property
    def committee_ids(self) -> set[int]:
        return {link.committee_id for link in self.committee_links}


class UserCommittee(Base):
    """A committee office account's committees (办事机构 may run several)."""

    __tablename__ = "user_committees"
    __table_args__ = (UniqueConstraint("user_id", "committee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"))


class LoginAttempt(Base):
    """One password check (or one about to happen): the login throttle counts these.

    ``at`` is the app's injected clock (UTC, naive); ``account`` the normalised username, also
    for names that have no account, so an unknown name is throttled exactly like a real one."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    account: Mapped[str] = mapped_column(String(60), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    ok: Mapped[bool] = mapped_column(default=False)


class AuditEvent(Base):
    """Append-only; each row carries the hash of the one before it (a hash chain)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC of (position, hash) with the key kept outside the database (expertpool.audit_key).
    mac: Mapped[str | None] = mapped_column(String(64), default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class AuditHead(Base):
    """One row: the chain's head. Appending an event first updates this row, which takes the
    write lock (SQLite) or the row lock (PostgreSQL), so concurrent appends never fork the chain.
    `seq` is the number of events; `mac` signs (seq, last_hash) with the key kept outside the
    database, so resetting the head after deleting the last events is seen."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64), default=None)
