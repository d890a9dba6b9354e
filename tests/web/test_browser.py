"""End-to-end in Debian's chromium (Playwright sync API), with screenshots of the main pages
saved under test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Nomination
from tests.builders import bad_card, card, nomination_count, nomination_row, nomination_workbook
from tests.fixtures.browser import browser_login, screenshot
from tests.fixtures.web import Clock

pytestmark = pytest.mark.browser


def fill_nomination(page, name: str = "曾国明", id_card: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page.fill("#name", name)
    page.select_option("#gender", "男")
    page.fill("#id_card", id_card or card())
    page.select_option("#rank", "正高级")
    page.fill("#title_name", "正高级工程师")
    page.select_option("#series", "工程")
    page.fill("#phone", "13912345678")
    page.fill("#email", "zeng@example.cn")
    page.locator("input[name=committee_ids]").first.check()
    group = page.locator(".spec-group").first
    assert group.is_visible()
    assert not page.locator(".spec-group").nth(1).is_visible()  # filtered client-side
    group.locator("input[name=specialties]").first.check()
    page.fill("#recommendation", "该同志业务能力突出，同意推荐。")
    page.check("#pledge_personal")
    page.check("#pledge_unit")


def test_unit_submits_and_sees_it_listed(page, db: Engine, accounts: dict) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, "unit_a")
    page.goto("/unit/new")
    fill_nomination(page, id_card=bad_card())
    page.uncheck("#pledge_unit")
    page.click("#nomination-form button[type=submit]")
    page.wait_for_selector("#id_card-err")
    assert page.inner_text("#id_card-err") == "校验位错误"
    assert "须勾选单位承诺" in page.content()
    screenshot(page, "unit-form-errors")
    page.fill("#id_card", card())
    page.check("#pledge_unit")
    page.click("#nomination-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "已提交推荐：曾国明" in page.inner_text(".flash-success")
    page.goto("/unit/")
    assert "曾国明" in page.inner_text("#nominations")
    assert "已提交" in page.inner_text("#nominations")
    screenshot(page, "unit-list")
    assert nomination_count(db) == 1


def test_bulk_import_with_bad_row_imports_nothing(page, db: Engine, accounts: dict) -> None:  # type: ignore[no-untyped-def]
    with session_scope(make_session_factory(db)) as s:
        data = nomination_workbook(
            s,
            [
                nomination_row(s),
                nomination_row(s, 姓名="李四", 身份证号=bad_card()),
                nomination_row(s, 姓名="王五", 身份证号=card("21020419800101125")),
            ],
        )
    browser_login(page, "unit_a")
    page.goto("/unit/import")
    page.set_input_files(
        "#file",
        files=[{"name": "推荐.xlsx", "mimeType": "application/octet-stream", "buffer": data}],
    )
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-errors")
    assert "第3行「身份证号」：校验位错误" in page.inner_text("#import-errors")
    screenshot(page, "unit-import-errors")
    assert nomination_count(db) == 0


def test_bureau_approves_and_expert_appears_in_pool(page, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(make_session_factory(demo_db)) as s:
        first = s.scalars(
            select(Nomination)
            .where(Nomination.status == "已提交")
            .order_by(Nomination.submitted_at, Nomination.id)
        ).first()
        assert first is not None
        name, nid = first.name, first.id
    page.on("dialog", lambda d: d.accept())  # 通过 asks first (data-confirm)
    browser_login(page, "rsj")
    page.goto("/bureau/")
    screenshot(page, "bureau-queue")
    page.locator(f"#nomination-{nid} button.primary").click()
    page.wait_for_selector(".flash-success")
    assert f"已通过：{name}" in page.inner_text(".flash-success")
    page.goto("/bureau/pool")
    screenshot(page, "bureau-pool")
    page.fill("#f-q", name)
    page.click("#pool-filters button[type=submit]")
    page.wait_for_load_state()
    assert name in page.inner_text("#pool")
    page.locator("#pool a", has_text=name).first.click()
    page.wait_for_load_state()
    assert "专家档案" in page.inner_text("h1")
    screenshot(page, "bureau-expert")
    page.goto("/bureau/dashboard")
    assert page.locator("svg.chart").count() == 2
    screenshot(page, "bureau-dashboard")
    page.goto("/bureau/settings")
    screenshot(page, "bureau-settings")


def test_after_deadline_form_closed_and_forced_post_refused(
    page, db: Engine, accounts: dict, clock: Clock
) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, "unit_a")
    page.goto("/unit/new")
    fill_nomination(page)  # the form was loaded while still open…
    clock.now = datetime(2024, 8, 1, 0, 0, 1)  # …and is sent after the deadline
    page.click("#nomination-form button[type=submit]")
    page.wait_for_selector(".flash-error")
    assert "截止" in page.inner_text(".flash-error")
    assert page.locator("#deadline-closed").is_visible()
    assert page.locator("#nomination-form").count() == 0
    screenshot(page, "unit-deadline-closed")
    assert nomination_count(db) == 0
    page.click(".who button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "您已安全退出" in page.inner_text(".flash-success")
    screenshot(page, "login")
