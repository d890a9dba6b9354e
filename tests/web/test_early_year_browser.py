"""The year selector in Debian's chromium (Playwright): with next year opened in December, the
office switches to it from the header and its meeting list follows, then switches back. The
screenshot goes under test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine

from expertpool.actor import Actor
from expertpool.db import make_session_factory, session_scope
from expertpool.services import years as ys
from tests.fixtures.browser import browser_login, screenshot
from tests.fixtures.web import Clock

pytestmark = pytest.mark.browser


def test_the_office_switches_to_the_opened_next_year(  # type: ignore[no-untyped-def]
    page, demo_db: Engine, clock: Clock
) -> None:
    clock.now = datetime(2024, 12, 3, 10, 0)
    with session_scope(make_session_factory(demo_db)) as s:
        ys.open_year(s, Actor("rsj", "bureau"), 2025)
    browser_login(page, "zjj")
    page.goto("/office/")
    assert page.inner_text("h1") == "2024年度评审例会"
    page.select_option("#year-select", "2025")
    page.click("#year-pick button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/office/?") or page.url.endswith("/office/")
    assert page.inner_text("h1") == "2025年度评审例会"
    assert page.is_visible("#next-year-notice")
    assert page.locator('a[href="/office/meetings/2025-S01"]').count() >= 1
    screenshot(page, "early-year-selector")
    page.select_option("#year-select", "2024")
    page.click("#year-pick button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "2024年度评审例会"
    assert not page.is_visible("#next-year-notice")
