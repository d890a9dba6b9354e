"""Units, experts and their history: the review-expert pool (评审专家库)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from expertpool.models.base import Base, utcnow
from expertpool.pinyin import stored_sort_key

if TYPE_CHECKING:  # relationship targets, for the type checker only
    from expertpool.models.committees import Committee


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    kind: Mapped[str] = mapped_column(String(20), default="其他")
    district: Mapped[str] = mapped_column(String(40), default="")

    experts: Mapped[list[Expert]] = relationship(back_populates="unit")


class Expert(Base):
    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # E000123, the id in draw packages
    name: Mapped[str] = mapped_column(String(40), index=True)
    # The pinyin order of `name` as a string (expertpool.pinyin.stored_sort_key), kept in step
    # by `_name_changed`: sorting the pool must not run pypinyin over every name per request.
    name_sort: Mapped[str] = mapped_column(String(400), default="", index=True)
    gender: Mapped[str] = mapped_column(String(2))
    birth_year: Mapped[int] = mapped_column(Integer)
    id_card: Mapped[str] = mapped_column(String(18), unique=True)  # 身份证号, shown masked
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    rank: Mapped[str] = mapped_column(String(10), index=True)
    title_name: Mapped[str] = mapped_column(String(60), default="")
    series: Mapped[str] = mapped_column(String(40), default="")
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10), default="待审核", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 暂停至: the last day of a 暂停 (inclusive); from the next day the expert is drawable
    # again (expertpool.services.pool.drawable). None: suspended until lifted by hand.
    suspended_until: Mapped[date | None] = mapped_column(default=None)

    unit: Mapped[Unit] = relationship(back_populates="experts")
    memberships: Mapped[list[PoolMembership]] = relationship(
        back_populates="expert", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="expert", order_by="StatusChange.at", cascade="all, delete-orphan"
    )

    @validates("name")
    def _name_changed(self, _key: str, name: str) -> str:
        self.name_sort = stored_sort_key(name)
        return name

    def drawable_on(self, today: date | None) -> bool:
        """Whether a draw on `today` may use this expert: 在库, or a 暂停 whose 暂停至 date has
        passed. Without `today` a suspension counts as lasting (the callers that know the
        date, from the injected clock, pass it)."""
        if self.status == "在库":
            return True
        until = self.suspended_until
        return self.status == "暂停" and today is not None and until is not None and today > until

    @property
    def masked_id_card(self) -> str:
        return self.id_card[:6] + "********" + self.id_card[-4:]


class StatusChange(Base):
    """Every status change of an expert, with who and why (动态管理)."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    old_status: Mapped[str] = mapped_column(String(10))
    new_status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    by_user: Mapped[str] = mapped_column(String(60), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    expert: Mapped[Expert] = relationship(back_populates="status_changes")


class PoolMembership(Base):
    """An expert belongs to a committee's pool (may belong to several committees)."""

    __tablename__ = "pool_memberships"
    __table_args__ = (UniqueConstraint("committee_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    since: Mapped[datetime] = mapped_column(default=utcnow)

    expert: Mapped[Expert] = relationship(back_populates="memberships")
    committee: Mapped[Committee] = relationship()


class ServiceRecord(Base):
    """A year in which an expert sat on a committee's panel (for rotation, 连续任职)."""

    __tablename__ = "service_records"
    __table_args__ = (UniqueConstraint("expert_id", "committee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    attended: Mapped[bool] = mapped_column(default=True)  # False: a recorded no-show (缺席)
    note: Mapped[str] = mapped_column(Text, default="")
