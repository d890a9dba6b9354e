"""The meeting day in Debian's chromium (Playwright): 签到 with one correction, votes by tally
sheet (one bad row refused whole, then a good sheet), close, exports, and the regulator's
check of the stored record. The screenshot goes under test-artifacts/screenshots/."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from expertpool.db import make_session_factory, session_scope
from expertpool.seeds import SeedSequence
from expertpool.services import meeting_record as mr
from expertpool.services import panels as svc
from expertpool.services.packages import find_meeting
from tests.builders import S01, ZJJ
from tests.fixtures.browser import browser_login, screenshot
from tests.fixtures.web import Clock

pytestmark = pytest.mark.browser

BASE = f"/meetingday/{S01}"


def _seal(db: Engine) -> None:
    with session_scope(make_session_factory(db)) as s:
        meeting = find_meeting(s, S01)
        meeting.settings = {"panel_size": 11, "min_full_senior_share": "1/4"}
        s.flush()
        svc.seal(s, svc.draw_meeting(s, meeting, ZJJ, seeds=SeedSequence("md-browser")), ZJJ)


def _voters(db: Engine) -> dict[str, int]:
    with session_scope(make_session_factory(db)) as s:
        meeting = find_meeting(s, S01)
        day = mr.open_day(s, meeting)
        return {a.code: mr.voters(day, a) for a in meeting.applicants}


def _sheet(template: bytes, voters: dict[str, int], path: Path, bad: bool) -> Path:
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    assert ws is not None
    rows = list(ws.iter_rows(min_row=2))
    for i, r in enumerate(rows):  # the first half pass, the rest not: within the 50% cap
        n = voters[str(r[0].value)]
        # columns: 申报人编号, 姓名, 表决评委 (filled in by the template), 同意, 反对, 弃权
        assert r[2].value == n
        r[3].value, r[4].value, r[5].value = (n, 0, 0) if i < len(rows) // 2 else (0, n, 0)
    if bad:
        rows[1][4].value = 3  # three 反对 more than the members voting
    wb.save(path)
    return path


def _switch(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.click(".who form button[type=submit]")
    page.wait_for_load_state()
    browser_login(page, username)


def test_meeting_day_in_the_browser(  # type: ignore[no-untyped-def]
    page, demo_db: Engine, clock: Clock, tmp_path: Path
) -> None:
    _seal(demo_db)
    clock.now = datetime(2024, 10, 22, 9, 0)
    browser_login(page, "zjj")
    page.goto(BASE)
    page.click("text=开始登记例会记录")
    page.wait_for_selector("#attendance")
    # 签到: all present but one, absent through illness
    radios = page.locator("#attendance input[type=radio][value=present]")
    codes = [radios.nth(i).get_attribute("name")[4:] for i in range(radios.count())]
    assert len(codes) == 11
    for c in codes:
        page.check(f"input[name=att_{c}][value=present]")
    page.check(f"input[name=att_{codes[0]}][value=absent]")
    page.select_option(f"select[name=reason_{codes[0]}]", "因病")
    page.click("#attendance button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "已保存签到" in page.inner_text(".flash-success")
    assert "出席 10 / 11 名" in page.inner_text("body")
    # one correction: a member marked present had in fact left on official business
    page.check(f"input[name=att_{codes[1]}][value=absent]")
    page.select_option(f"select[name=reason_{codes[1]}]", index=2)
    page.fill("#attendance input[name=correction]", "签到表核对：该评委未到会")
    page.click("#attendance button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "出席 9 / 11 名" in page.inner_text("body")
    assert "签到表核对：该评委未到会" in page.inner_text("#corrections")
    # votes by tally sheet: one bad row, the message shown and nothing saved
    template = page.request.get(f"{BASE}/tally-template.xlsx")
    assert template.ok
    voters = _voters(demo_db)
    bad = _sheet(template.body(), voters, tmp_path / "bad.xlsx", bad=True)
    page.set_input_files("#votes input[type=file]", str(bad))
    page.click("text=从表格导入票数")
    page.wait_for_selector("[role=alert]")
    alert = page.inner_text("[role=alert]")
    assert "第3行" in alert and "全部未保存" in alert
    assert page.locator("#votes .vote-result").all_inner_texts() == [""] * len(voters)
    good = _sheet(template.body(), voters, tmp_path / "good.xlsx", bad=False)
    page.set_input_files("#votes input[type=file]", str(good))
    page.click("text=从表格导入票数")
    page.wait_for_selector(".flash-success")
    assert f"已从表格导入{len(voters)}名申报人的表决结果" in page.inner_text(".flash-success")
    results = page.locator("#votes .vote-result").all_inner_texts()
    assert results.count("通过") == len(voters) // 2
    assert results.count("未通过") == len(voters) - len(voters) // 2
    # close, then the exports
    page.fill("#close input[name=ended_on]", "2024-10-22")
    page.click("text=结束并锁定例会记录")
    page.wait_for_selector("#exports")
    assert "已结束（已锁定）" in page.inner_text("body")
    with page.expect_download() as info:
        page.click("#exports >> text=评审结果汇总表（xlsx）")
    assert info.value.suggested_filename == f"评审结果汇总表-{S01}.xlsx"
    assert load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active is not None
    href = page.get_attribute("#exports >> text=例会记录文件（供监管核验）", "href")
    record = page.request.get(href)
    assert record.ok and b"expertpool.meeting/1" in record.body()
    # the regulator's check of the stored record
    _switch(page, "jianguan")
    page.goto(BASE)
    assert "合规" in page.inner_text("#check-verdict")
    assert "不合规" not in page.inner_text("#check-verdict")
    assert page.locator("#attendance button[type=submit]").count() == 0
    screenshot(page, "meetingday-regulator-check")
