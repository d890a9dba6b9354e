"""Units' nominations of experts (推荐), reviewed by the bureau into the pool."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expertpool.models.base import Base

if TYPE_CHECKING:  # relationship targets, for the type checker only
    from expertpool.models.registry import Unit


class Nomination(Base):
    __tablename__ = "nominations"
    # The review queue lists one year's nominations of one status (its tabs).
    __table_args__ = (Index("ix_nominations_year_status", "year", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="已提交", index=True)
    name: Mapped[str] = mapped_column(String(40))
    gender: Mapped[str] = mapped_column(String(2))
    birth_year: Mapped[int] = mapped_column(Integer)
    id_card: Mapped[str] = mapped_column(String(18), index=True)
    rank: Mapped[str] = mapped_column(String(10))
    title_name: Mapped[str] = mapped_column(String(60), default="")
    series: Mapped[str] = mapped_column(String(40), default="")
    committee_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    recommendation: Mapped[str] = mapped_column(Text, default="")  # 推荐意见
    pledge_personal: Mapped[bool] = mapped_column(default=False)  # 个人承诺
    pledge_unit: Mapped[bool] = mapped_column(default=False)  # 单位承诺
    # A retried or double-clicked submit carries the same token and creates nothing new.
    idempotency_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    submitted_by: Mapped[str] = mapped_column(String(60), default="")
    # Beijing wall-clock times, as the services record them (the 31 July deadline is one):
    # no UTC default, so a caller that forgets one fails instead of mixing the two.
    submitted_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    reviewed_by: Mapped[str] = mapped_column(String(60), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id"), default=None)

    unit: Mapped[Unit] = relationship()


class YearSetting(Base):
    """Per-year settings the bureau may change, e.g. the nomination deadline."""

    __tablename__ = "year_settings"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Naive local time in Asia/Shanghai: 23:59:59 on 31 July unless the bureau changes it.
    nomination_deadline: Mapped[datetime] = mapped_column()
