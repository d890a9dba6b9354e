"""Reliability tests reuse the web fixtures (test accounts)."""

from __future__ import annotations

from tests.web.conftest import accounts, clock

__all__ = ["accounts", "clock"]
