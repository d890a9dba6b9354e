"""The past-meeting draw dialog in Debian's chromium: the office is told the meeting has ended,
must give a reason (the browser will not submit without one), is asked to confirm, and a
dismissed confirmation draws nothing; an accepted one opens the commitment."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import DrawSession
from tests.builders import S01, small_rules
from tests.fixtures.browser import browser_login, screenshot
from tests.fixtures.web import Clock

pytestmark = pytest.mark.browser


def _sessions(db: Engine) -> list[str]:
    with session_scope(make_session_factory(db)) as s:
        return list(s.scalars(select(DrawSession.past_reason).order_by(DrawSession.id)))


def test_drawing_an_ended_meeting_asks_to_confirm_with_a_reason(  # type: ignore[no-untyped-def]
    page, demo_db: Engine, clock: Clock
) -> None:
    small_rules(demo_db, S01)
    clock.now = datetime(2026, 12, 1, 9, 0)
    dialogs: list[str] = []
    answer = {"accept": False}

    def on_dialog(d) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(d.message)
        d.accept() if answer["accept"] else d.dismiss()

    page.on("dialog", on_dialog)
    browser_login(page, "zjj")
    page.goto(f"/office/meetings/{S01}")
    assert page.inner_text("#meeting-when") == "例会已于2024年10月31日结束"
    assert "须确认并填写原因" in page.inner_text("#past-notice")
    screenshot(page, "office-meeting-ended")
    # No reason: the required field stops the form before any dialog or request.
    page.click("#draw-button")
    assert dialogs == [] and page.evaluate(
        "document.querySelector('#past-reason').validity.valueMissing"
    )
    # A reason, then the confirmation dismissed: nothing is drawn.
    page.fill("#past-reason", "补录2024年例会评委名单")
    page.click("#draw-button")
    page.wait_for_timeout(300)
    assert dialogs and "例会已于2024年10月31日结束，确定仍要为其抽取评委吗" in dialogs[0]
    assert _sessions(demo_db) == []
    # Accepted: the commitment page, and the reason is on the record.
    answer["accept"] = True
    page.click("#draw-button")
    page.wait_for_selector("#commitment")
    assert len(dialogs) == 2
    assert _sessions(demo_db) == ["补录2024年例会评委名单"]
    screenshot(page, "office-draw-commitment-ended")
