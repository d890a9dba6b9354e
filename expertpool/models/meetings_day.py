"""The review meeting day (例会当天): attendance, vote tallies, corrections, closing and 备案;
the committee's 评聘 mode; and working-day calendars the bureau supplies for years the
bundled official calendar does not cover."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expertpool.models.base import Base, utcnow

if TYPE_CHECKING:  # relationship targets, for the type checker only
    from expertpool.models.committees import Applicant, Committee, Meeting
    from expertpool.models.panels import Panel
    from expertpool.models.registry import Expert


class MeetingDay(Base):
    """What happened at one meeting (its sealed panel's members). `version` goes up on every
    save, so a clerk saving numbers read before someone else's save is refused."""

    __tablename__ = "meeting_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    ended_on: Mapped[date | None] = mapped_column(Date, default=None)
    explanation: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[str] = mapped_column(String(60), default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    filed_by: Mapped[str] = mapped_column(String(60), default="")
    filed_at: Mapped[datetime | None] = mapped_column(default=None)
    filed_on: Mapped[date | None] = mapped_column(Date, default=None)
    record_json: Mapped[str] = mapped_column(Text, default="")  # expertpool.meeting/1 at close
    updated_by: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    panel: Mapped[Panel] = relationship()
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="Attendance.id"
    )
    tallies: Mapped[list[VoteTally]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="VoteTally.id"
    )
    corrections: Mapped[list[DayCorrection]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="DayCorrection.id"
    )


class Attendance(Base):
    """One seated member's attendance (签到): present, or absent with a reason."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("day_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("meeting_days.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    present: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str] = mapped_column(String(20), default="")  # 因病/因公/无故缺席/其他
    note: Mapped[str] = mapped_column(Text, default="")

    day: Mapped[MeetingDay] = relationship(back_populates="attendance")
    expert: Mapped[Expert] = relationship()


class VoteTally(Base):
    """The counts of one applicant's vote (never individual ballots); `passed` is computed."""

    __tablename__ = "meeting_vote_tallies"
    __table_args__ = (UniqueConstraint("day_id", "applicant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("meeting_days.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    yes: Mapped[int] = mapped_column(Integer, default=0)
    no: Mapped[int] = mapped_column(Integer, default=0)
    abstain: Mapped[int] = mapped_column(Integer, default=0)
    voters: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[bool] = mapped_column(default=True)
    passed: Mapped[bool] = mapped_column(default=False)

    day: Mapped[MeetingDay] = relationship(back_populates="tallies")
    applicant: Mapped[Applicant] = relationship()


class DayCorrection(Base):
    """A correction of attendance or a tally after it was first saved, with the reason."""

    __tablename__ = "meeting_day_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("meeting_days.id"), index=True)
    what: Mapped[str] = mapped_column(String(20))  # 出席 | 表决 | 重新打开
    target: Mapped[str] = mapped_column(String(40), default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    by_user: Mapped[str] = mapped_column(String(60), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    day: Mapped[MeetingDay] = relationship(back_populates="corrections")


class ReviewMode(Base):
    """A committee's 评聘 mode, when the bureau set one (else the default by level)."""

    __tablename__ = "committee_review_modes"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), unique=True)
    mode: Mapped[str] = mapped_column(String(10))  # 评聘分开 | 评聘结合
    set_by: Mapped[str] = mapped_column(String(60), default="")
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    committee: Mapped[Committee] = relationship()


class WorkCalendarYear(Base):
    """A year's official holidays and adjusted working days, entered by the bureau for a year
    the bundled calendar does not cover (ISO date strings)."""

    __tablename__ = "work_calendar_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    workdays: Mapped[list[str]] = mapped_column(JSON, default=list)
    entered_by: Mapped[str] = mapped_column(String(60), default="")
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
