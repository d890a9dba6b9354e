"""Background jobs (后台任务): long work (a season run) done by an `expertpool worker`
process, not inside a web request. The row is the whole queue: no broker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from expertpool.models.base import Base, utcnow

# The states a job may still change from; at most one such job per dedupe key (index below).
ACTIVE_STATES = ("queued", "running")
_ACTIVE = text("state IN ('queued', 'running')")


class Job(Base):
    """One piece of background work: queued → running → done | failed.

    ``dedupe_key`` names what the job works on (``season:2024``); the partial unique index
    lets the database itself refuse a second active job on the same thing. ``result`` names
    what was stored (a season run id); ``error`` is the Chinese message of a failed job."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index(
            "uq_jobs_active_key",
            "dedupe_key",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(80), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    draw_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("draw_sessions.id"), index=True, default=None
    )
    created_by: Mapped[str] = mapped_column(String(60), default="")
    created_role: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    worker: Mapped[str] = mapped_column(String(120), default="")  # host:pid
    result: Mapped[str] = mapped_column(String(80), default="")
    error: Mapped[str] = mapped_column(Text, default="")
