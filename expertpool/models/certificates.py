"""Draw certificates (抽取证明): the `expertpool.certificate/1` file of each step of a panel's
draw (the first draw, then each redraw after declines), kept beside its package and result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from expertpool.models.base import Base, utcnow


class PanelCertificate(Base):
    """One step's certificate. ``step`` is 0 for the first draw and N for the redraw of the
    N-th recorded decline call (draw-format.md §6); one row per (panel, step), so two
    writers racing to certify the same step store it once (the unique constraint decides)."""

    __tablename__ = "panel_certificates"
    __table_args__ = (UniqueConstraint("panel_id", "step", name="uq_panel_certificates_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    cert_json: Mapped[str] = mapped_column(Text)  # the exact certificate bytes (UTF-8)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
