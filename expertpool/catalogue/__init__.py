"""The yearly catalogue of review committees (评委会) and their planned schedules."""

from expertpool.catalogue.loader import (
    LEVELS,
    SERIES,
    CommitteeSpec,
    available_years,
    find_committee,
    load_catalogue,
)
from expertpool.catalogue.periods import period_deadline, period_window

__all__ = [
    "LEVELS",
    "SERIES",
    "CommitteeSpec",
    "available_years",
    "find_committee",
    "load_catalogue",
    "period_deadline",
    "period_window",
]
