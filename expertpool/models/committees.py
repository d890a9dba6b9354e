"""Review committees (评委会), their yearly meetings (例会), applicants and conflicts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expertpool.models.base import Base

if TYPE_CHECKING:  # relationship targets, for the type checker only
    from expertpool.models.registry import Expert, Unit


class Committee(Base):
    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    level: Mapped[str] = mapped_column(String(20))  # senior | intermediate
    series: Mapped[str] = mapped_column(String(40), default="")
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    narrow: Mapped[bool] = mapped_column(default=False)  # formed on one or two specialties
    department: Mapped[str] = mapped_column(String(80), default="")
    contact: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # The first working year without this committee (撤销); None while it is active.
    retired_from: Mapped[int | None] = mapped_column(Integer, nullable=True)

    meetings: Mapped[list[Meeting]] = relationship(back_populates="committee")


class Meeting(Base):
    """One committee's yearly meeting; `code` is the meeting id of draw packages (2024-S01)."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("committee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    dossier_deadline: Mapped[date] = mapped_column(Date)
    period_text: Mapped[str] = mapped_column(String(20), default="")
    # Rule settings that differ from the level defaults (see solver.defaults).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # That year's specialties, department, contact, phone and dossier period, as opened or
    # imported (see expertpool.models.years); {} for meetings loaded before 0008.
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")

    committee: Mapped[Committee] = relationship(back_populates="meetings")
    applicants: Mapped[list[Applicant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Applicant.code"
    )
    conflicts: Mapped[list[Conflict]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )


class Applicant(Base):
    """A person applying for a title at this meeting (申报人)."""

    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("meeting_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    specialty: Mapped[str] = mapped_column(String(60))
    current_title: Mapped[str] = mapped_column(String(60), default="")
    # 申报级别 (正高级/副高级/中级, "" unknown), 高技能人才 and 职业技能等级, 评审分组 (optional).
    apply_level: Mapped[str] = mapped_column(String(10), default="", server_default="")
    high_skill: Mapped[bool] = mapped_column(default=False, server_default=false())
    skill_level: Mapped[str] = mapped_column(String(20), default="", server_default="")
    review_group: Mapped[str] = mapped_column(String(40), default="", server_default="")

    meeting: Mapped[Meeting] = relationship(back_populates="applicants")
    unit: Mapped[Unit] = relationship()


class Conflict(Base):
    """A declared conflict of interest (回避) between an expert and an applicant."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("meeting_id", "expert_id", "applicant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="conflicts")
    expert: Mapped[Expert] = relationship()
    applicant: Mapped[Applicant] = relationship()
