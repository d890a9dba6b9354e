"""Office and regulator screens in Debian's chromium (Playwright); screenshots are saved under
test-artifacts/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select, text

from expertpool.db import make_session_factory, session_scope
from expertpool.models import AuditEvent, Meeting
from expertpool.seeds import SeedSequence
from expertpool.services import panels as svc
from expertpool.services.applicants import HEADERS
from tests.builders import S01, ZJJ, small_meeting
from tests.fixtures.browser import browser_login, screenshot

pytestmark = pytest.mark.browser


def _small(db: Engine) -> str:
    with session_scope(make_session_factory(db)) as s:
        return small_meeting(s, S01).committee.specialties[0]


def _xlsx(path: Path, spec: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "申报人"
    ws.append(HEADERS)
    ws.append(["孙浩然", "大连浏览器测试有限公司", "", spec, "工程师"])
    ws.append(["周雨桐", "大连浏览器测试有限公司", "", spec, "工程师"])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def _switch(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Log out through the page's own button, then log in as `username`."""
    page.click(".who form button[type=submit]")
    page.wait_for_load_state()
    browser_login(page, username)


def test_office_imports_draws_declines_seals_and_exports(  # type: ignore[no-untyped-def]
    page, demo_db: Engine, tmp_path: Path
) -> None:
    spec = _small(demo_db)
    page.on("dialog", lambda d: d.accept())  # the data-confirm prompts
    browser_login(page, "zjj")
    page.goto("/office/")
    page.click(f"#meetings a[href='/office/meetings/{S01}']")
    page.set_input_files("#file", str(_xlsx(tmp_path / "applicants.xlsx", spec)))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "已导入2名申报人" in page.inner_text(".flash-success")
    assert "孙浩然" in page.inner_text("#applicant-list")
    screenshot(page, "office-meeting")

    page.click("#draw-button")
    # Two-party seed: the office sees only the commitment; the supervisor enters part b.
    page.wait_for_selector("#commitment")
    commitment = page.inner_text("#commitment")
    assert "等待监督人输入第二部分" in page.inner_text("#draw-state")
    screenshot(page, "office-draw-commitment")
    _switch(page, "jianguan")
    page.goto("/regulator/draws")
    page.click("#pending-draws a.open-draw")
    assert page.inner_text("#commitment") == commitment
    page.fill("#part-b", "监督人 0731")
    page.click("#second-button")
    page.wait_for_selector("#revealed-part")
    assert "已输入第二部分并完成抽取" in page.inner_text(".flash-success")
    revealed = page.inner_text("#revealed-part")
    assert revealed and revealed not in commitment and page.inner_text("#draw-seed")
    screenshot(page, "regulator-second-part")
    _switch(page, "zjj")
    page.goto(f"/office/meetings/{S01}/panel")
    page.wait_for_selector("#members")
    assert revealed in page.inner_text("#seed-parts")
    assert "结论：评委会合规" in page.inner_text("#report-summary")
    # The seed is random: decline a member some alternate can replace (not in `uncovered`).
    with session_scope(make_session_factory(demo_db)) as s:
        m = s.scalar(select(Meeting).where(Meeting.code == S01))
        result = svc.result_of(svc.current_panel(s, m))
    leaving = next(c for c in result["members"] if c not in result["uncovered"])
    row = page.locator(f"#members tbody tr[data-code='{leaving}']")
    screenshot(page, "office-panel-drawn")

    row.locator("input[name=reason]").fill("临时出差")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#replacements")
    message = page.inner_text(".flash-success")
    assert f"（{leaving}）请辞，由备选专家递补" in message
    replaced_by = page.locator("#replacements tbody tr td:nth-child(2)").first.inner_text()
    assert replaced_by.split()[0] in message
    assert leaving not in [
        page.locator("#members tbody tr").nth(i).get_attribute("data-code")
        for i in range(page.locator("#members tbody tr").count())
    ]
    screenshot(page, "office-panel-declined")

    page.click("#seal-button")
    page.wait_for_selector("#export-xlsx")
    assert page.inner_text("#panel-status") == "已锁定"
    assert page.locator(".decline-form").count() == 0
    with page.expect_download() as info:
        page.click("#export-xlsx")
    download = info.value
    assert download.suggested_filename == f"评委名单-{S01}.xlsx"
    page.click("#print-link")
    page.wait_for_selector("#print-members")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    screenshot(page, "office-print")
    page.emulate_media(media="screen")


def test_regulator_sees_every_rule_pass_and_a_broken_chain(  # type: ignore[no-untyped-def]
    page, demo_db: Engine, seeds: SeedSequence
) -> None:
    _small(demo_db)
    with session_scope(make_session_factory(demo_db)) as s:
        m = s.scalar(select(Meeting).where(Meeting.code == S01))
        p = svc.draw_meeting(s, m, ZJJ, seeds=seeds)
        svc.seal(s, p, ZJJ)
        panel_id = p.id
    browser_login(page, "jianguan")
    page.goto("/regulator/")
    page.click(f"#meetings a[href='/regulator/panels/{panel_id}']")
    page.wait_for_selector("#report")
    results = page.locator("#report tbody tr td:nth-child(2)").all_inner_texts()
    assert len(results) >= 12 and all(r.strip() == "通过" for r in results)
    screenshot(page, "regulator-report")
    page.click("#replay-link")
    assert "重放一致" in page.inner_text("#replay-result")

    page.goto("/regulator/audit")
    assert "完整" in page.inner_text("#chain-status")
    head = page.inner_text("#chain-head code")  # as an export prints it: SEQ:HASH
    page.fill("#f-head", head)
    page.click("#head-check button")
    assert f"与导出文件上的第 {head.split(':')[0]} 条记录一致" in page.inner_text("#chain-status")
    with demo_db.begin() as conn:
        target = conn.scalar(select(AuditEvent.id).where(AuditEvent.action == "panel_seal"))
        conn.execute(
            text("UPDATE audit_events SET username = 'someone' WHERE id = :i"), {"i": target}
        )
    page.reload()
    status = page.inner_text("#chain-status")
    assert "已断开" in status and f"第 {target} 号" in status
    assert page.locator("#broken-row").count() == 1
    screenshot(page, "regulator-audit-broken")
