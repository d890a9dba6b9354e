"""Who is acting: every service that changes something takes one `Actor`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The audit trail's username and role; a unit account's unit.

    ``role`` is one of ``expertpool.models.enums.ROLES`` (or "" for the system itself).
    """

    username: str
    role: str
    unit_id: int | None = None
