"""Working years (工作年度): the bureau opens each year from the previous one.

Per-year committee data lives on the ``Meeting`` row, which is already one per committee and
year (window, dossier deadline, period text) plus ``Meeting.profile``, a snapshot of that
year's specialties, department and contact. ``Committee`` keeps the values of the latest
year that includes it: pools, experts and service records hang off the committee, so they
carry over from year to year without copying, and rotation (``served``) reads the service
records of every year. Only the latest year is edited; earlier years are history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from expertpool.models.base import Base, utcnow

YEAR_STATES: dict[str, str] = {"open": "当前年度", "closed": "已结束"}


class WorkingYear(Base):
    """One opened working year. The nomination deadline stays in ``YearSetting``."""

    __tablename__ = "working_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opened_from: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: catalogue
    opened_by: Mapped[str] = mapped_column(String(60), default="system")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
