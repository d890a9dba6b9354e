"""Issue 14 (office part) in Debian's chromium: the applicant import's redirect after POST,
the upload size check before sending, and the text area counter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from expertpool.services.applicants import HEADERS
from expertpool.spreadsheet import MAX_FILE_BYTES
from tests.builders import S01
from tests.fixtures.browser import browser_login, screenshot

pytestmark = pytest.mark.browser


def _bad_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "申报人"
    ws.append(HEADERS)
    ws.append(["", "大连浏览器测试有限公司", "", "烹饪", "工程师"])
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def test_import_errors_after_a_redirect_and_a_refresh_does_not_resubmit(  # type: ignore[no-untyped-def]
    page, demo_db: Engine, tmp_path: Path
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    browser_login(page, "zjj")
    page.goto(f"/office/meetings/{S01}")
    page.set_input_files("#file", str(_bad_xlsx(tmp_path / "bad.xlsx")))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-summary")
    assert page.url.endswith(f"/office/meetings/{S01}#import-summary")
    assert "申报人未导入" in page.inner_text("#import-summary")
    assert "第2行「姓名」" in page.inner_text("#import-summary")
    top = page.eval_on_selector("#import-summary", "e => e.getBoundingClientRect().top")
    assert top < 900  # in view after the redirect, without scrolling
    screenshot(page, "office-import-errors")
    posts = sum(1 for r in requests if r.startswith("POST"))
    page.reload()
    page.wait_for_load_state()
    assert sum(1 for r in requests if r.startswith("POST")) == posts  # no re-upload
    assert page.query_selector("#import-summary") is None
    assert "请求方式不允许" not in page.content()


def test_a_file_over_the_limit_is_refused_before_sending(page, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, "zjj")
    page.goto(f"/office/meetings/{S01}")
    big = {
        "name": "big.xlsx",
        "mimeType": "application/octet-stream",
        "buffer": b"PK" + b"0" * (MAX_FILE_BYTES + 1024),
    }
    page.set_input_files("#file", big)
    message = page.eval_on_selector("#file", "e => e.validationMessage")
    assert "文件过大" in message and "不能超过5.0 MB" in message
    page.click("#import-form button[type=submit]")
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/office/meetings/{S01}")  # the form was not sent


def test_recommendation_counter_follows_typing(page, demo_db: Engine) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, "dlut")
    page.goto("/unit/new")
    counter = "[data-counter-for=recommendation]"
    assert page.inner_text(counter) == "已输入 0 / 500 字"
    page.fill("#recommendation", "业务能力突出")
    assert page.inner_text(counter) == "已输入 6 / 500 字"
    assert page.eval_on_selector("#recommendation", "e => e.maxLength") == 500
