"""Drawn panels (参会评委): the recorded package, seed and result, and each seat."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expertpool.models.base import Base, utcnow

if TYPE_CHECKING:  # relationship targets, for the type checker only
    from expertpool.models.committees import Meeting
    from expertpool.models.registry import Expert


class Panel(Base):
    """One draw of one meeting. The latest non-void panel of a meeting is its current one."""

    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # drawn | infeasible | sealed | void
    seed: Mapped[str] = mapped_column(String(80))
    instance_sha256: Mapped[str] = mapped_column(String(64))
    package_json: Mapped[str] = mapped_column(Text)  # the exact bytes the draw read (UTF-8)
    result_json: Mapped[str] = mapped_column(Text)  # expertpool.panel/1 as drawn or replaced
    drawn_by: Mapped[str] = mapped_column(String(60), default="")
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    sealed_by: Mapped[str] = mapped_column(String(60), default="")
    sealed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Why an unsealed compliant draw was set aside for this one (so redraws cannot fish).
    redraw_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Why a meeting whose window had already passed was drawn (expertpool.services.meeting_dates).
    past_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    seats: Mapped[list[PanelSeat]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="PanelSeat.id"
    )
    meeting: Mapped[Meeting] = relationship()


class PanelSeat(Base):
    __tablename__ = "panel_seats"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # member | alternate
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="active")  # active|declined|no_show|used
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime | None] = mapped_column(default=None)

    panel: Mapped[Panel] = relationship(back_populates="seats")
    expert: Mapped[Expert] = relationship()


class SeasonRun(Base):
    """One joint draw of a year (年度联合抽取): the exact season package and the plan, kept so
    that panels stored from it can be replayed on any app server."""

    __tablename__ = "season_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    seed: Mapped[str] = mapped_column(String(80))
    season_sha256: Mapped[str] = mapped_column(String(64), index=True)
    season_json: Mapped[str] = mapped_column(Text)  # the package bytes as read (UTF-8)
    run_json: Mapped[str] = mapped_column(Text)  # plan, timing, who, settings
    stored: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# At most one pending commitment per meeting, and one pending season commitment per year:
# two 抽取评委 clicks (two tabs, two app servers) must not open two (partial unique indexes).
_PENDING_SINGLE = text("state = 'pending' AND kind = 'single'")
_PENDING_SEASON = text("state = 'pending' AND kind = 'season'")


class DrawSession(Base):
    """One two-party draw (抽取承诺): the system's part a, shown only as its commitment until
    the supervisor's part b is in; then the draw runs on H(a, b) and part a is revealed.

    ``kind`` is "single" (one meeting, first draw or redraw) or "season" (a joint run).
    ``state``: pending → drawn (a season run: pending → drawing → drawn), or abandoned;
    leaving pending is a conditional UPDATE (services/draw_sessions.py), so it happens once.
    Every row stays, for the regulator."""

    __tablename__ = "draw_sessions"
    __table_args__ = (
        Index(
            "uq_draw_sessions_pending_meeting",
            "meeting_id",
            unique=True,
            sqlite_where=_PENDING_SINGLE,
            postgresql_where=_PENDING_SINGLE,
        ),
        Index(
            "uq_draw_sessions_pending_season",
            "year",
            unique=True,
            sqlite_where=_PENDING_SEASON,
            postgresql_where=_PENDING_SEASON,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer, index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id"), index=True, default=None
    )
    max_panels: Mapped[int | None] = mapped_column(Integer, default=None)  # season runs
    reason: Mapped[str] = mapped_column(String(200), default="")  # a redraw's reason
    past_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")
    office_part: Mapped[str] = mapped_column(String(64))  # secret while pending
    commitment: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="pending")
    second_part: Mapped[str] = mapped_column(String(200), default="")
    second_source: Mapped[str] = mapped_column(String(20), default="")  # supervisor|public|waived
    second_note: Mapped[str] = mapped_column(String(200), default="")  # the public source named
    second_by: Mapped[str] = mapped_column(String(60), default="")
    second_at: Mapped[datetime | None] = mapped_column(default=None)
    waiver: Mapped[str] = mapped_column(String(200), default="")  # why part b was off
    seed: Mapped[str] = mapped_column(String(80), default="")
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"), default=None)
    run_id: Mapped[str] = mapped_column(String(40), default="")
    requested_by: Mapped[str] = mapped_column(String(60), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by: Mapped[str] = mapped_column(String(60), default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(200), default="")  # why it was abandoned

    meeting: Mapped[Meeting | None] = relationship()


class SecondPartWaiver(Base):
    """The bureau switched the supervisor's second seed part off for a year, and why."""

    __tablename__ = "second_part_waivers"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reason: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(60), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
