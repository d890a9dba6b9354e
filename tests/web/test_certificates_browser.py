"""抽取证明 in Debian's chromium (Playwright): a fresh two-party draw shows 已证明 on the
regulator's panel page; the upload check with a tampered certificate shows 未证明 and why."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from expertpool.db import make_session_factory, session_scope
from tests.builders import S01, small_meeting
from tests.fixtures.browser import browser_login, screenshot

pytestmark = pytest.mark.browser


def _switch(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.click(".who form button[type=submit]")
    page.wait_for_load_state()
    browser_login(page, username)


def _download(page, selector: str) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.click(selector)
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as f:
        return f.read()


def test_fresh_draw_is_proven_and_a_tampered_upload_is_not(  # type: ignore[no-untyped-def]
    page, demo_db: Engine
) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        small_meeting(s, S01)
    page.on("dialog", lambda d: d.accept())
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

    page.goto(f"/regulator/meetings/{S01}")
    page.click("a[href^='/regulator/panels/']")
    page.wait_for_selector("#verdict-proof")
    proof = page.inner_text("#verdict-proof")
    assert "抽取证明" in proof and "已证明" in proof and "未证明" not in proof
    screenshot(page, "regulator-panel-proven")

    package = _download(page, "a[href$='/package.json']")
    result = _download(page, "a[href$='/result.json']")
    cert = json.loads(_download(page, "#certificate-link"))
    assert cert["format"] == "expertpool.certificate/1"
    # Tampered: a member listed as rejected, with a proof that cannot hold for a member.
    member = json.loads(result)["members"][0]
    cert["proofs"].append({"farkas": [[["panel_size", "max"], 1]]})
    cert["rejections"].append([member, len(cert["proofs"]) - 1])
    tampered = json.dumps(cert, ensure_ascii=False).encode("utf-8")

    page.goto("/regulator/verify")
    json_file = "application/json"
    page.set_input_files(
        "#package", files=[{"name": "p.json", "mimeType": json_file, "buffer": package}]
    )
    page.set_input_files(
        "#result", files=[{"name": "r.json", "mimeType": json_file, "buffer": result}]
    )
    page.set_input_files(
        "#certificate", files=[{"name": "c.json", "mimeType": json_file, "buffer": tampered}]
    )
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verdict-proof")
    verdict = page.inner_text("#verdict-proof")
    reason = page.inner_text("#proof-reason")
    assert "未证明" in verdict and member in reason
    assert "抽取证明文件" in page.inner_text("#checked-files")
    screenshot(page, "regulator-upload-tampered-certificate")
