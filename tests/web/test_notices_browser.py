"""通知与确认 in chromium: draw → generate the notices (no gateway: the call list) → record
two 确认参加, one 未接通, one 请辞 → the replacement appears as 待通知 → confirm everyone →
seal without the unconfirmed warning."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Meeting
from expertpool.services import panels as svc
from tests.builders import S01, small_rules
from tests.fixtures.browser import browser_login, screenshot

pytestmark = pytest.mark.browser


def _switch(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.click(".who form button[type=submit]")
    page.wait_for_load_state()
    browser_login(page, username)


def _record(page, code: str, outcome: str, note: str = "") -> str:  # type: ignore[no-untyped-def]
    row = page.locator(f"#members-table tr#row-{code}-member")
    row.locator("select[name=outcome]").select_option(outcome)
    if note:
        row.locator("input[name=note]").fill(note)
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".flash")
    return str(page.locator(".flash").first.inner_text())


def _state(page, code: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(f"tr#row-{code}-member").get_attribute("data-state"))


def _current(db: Engine) -> dict:
    with session_scope(make_session_factory(db)) as s:
        m = s.scalar(select(Meeting).where(Meeting.code == S01))
        return svc.result_of(svc.current_panel(s, m))


def test_draw_notify_confirm_replace_and_seal(page, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    small_rules(demo_db, S01)
    dialogs: list[str] = []

    def accept(d) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(d.message)
        d.accept()

    page.on("dialog", accept)
    browser_login(page, "zjj")
    page.goto(f"/office/meetings/{S01}")
    page.click("#draw-button")
    page.wait_for_selector("#commitment")
    _switch(page, "jianguan")
    page.goto("/regulator/draws")
    page.click("#pending-draws a.open-draw")
    page.fill("#part-b", "监督人 1208")
    page.click("#second-button")
    page.wait_for_selector("#revealed-part")
    _switch(page, "zjj")
    page.goto(f"/office/meetings/{S01}/panel")
    page.click("#notices-link")
    page.wait_for_selector("#notice-summary")
    result = _current(demo_db)
    members = result["members"]
    assert f"已确认 0 / {len(members)}" in page.inner_text("#confirmed-count")

    page.click("#send-button")
    page.wait_for_selector("#outbox-table")
    assert "未配置短信平台，未发送任何短信" in page.inner_text(".flash")
    assert page.locator("#outbox-table tbody tr").count() == len(members)
    screenshot(page, "notices-call-list")

    leaving = next(c for c in members if c not in result["uncovered"])
    others = [c for c in members if c != leaving]
    assert "确认参加" in _record(page, others[0], "confirmed")
    assert "确认参加" in _record(page, others[1], "confirmed")
    assert "未接通" in _record(page, others[2], "unreachable")
    message = _record(page, leaving, "declined", "临时出差")
    assert f"（{leaving}）请辞，由备选专家递补" in message
    by = _current(demo_db)["replacements"][-1]["by"]
    assert _state(page, by) == "pending"
    assert "待通知" in page.inner_text(f"tr#row-{by}-member td.state")
    assert "请辞（临时出差）" in page.inner_text(f"tr#row-{leaving}-member td.state")
    assert f"已确认 2 / {len(members)}" in page.inner_text("#confirmed-count")
    screenshot(page, "notices-after-decline")

    for code in _current(demo_db)["members"]:
        if _state(page, code) != "confirmed":
            _record(page, code, "confirmed")
    assert f"已确认 {len(members)} / {len(members)}" in page.inner_text("#confirmed-count")
    assert "全部评委已确认参加" in page.inner_text("#next-up")

    page.goto(f"/office/meetings/{S01}/panel")
    assert page.locator("#seal-warning").count() == 0
    dialogs.clear()
    page.click("#seal-button")
    page.wait_for_selector("#export-xlsx")
    assert dialogs and "尚未确认参加" not in dialogs[0]
    assert page.inner_text("#panel-status") == "已锁定"
