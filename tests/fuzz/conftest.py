"""Fuzz tests reuse the web fixtures (app on the test database, test client, accounts)."""

from __future__ import annotations

from tests.web.conftest import accounts, app, client, clock, login

__all__ = ["accounts", "app", "client", "clock", "login"]
