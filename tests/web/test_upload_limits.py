"""Issue 18 items 14 and 15 on the web: one size limit per page, the one the page states
(web/limits.py), and duplicate JSON keys refused in Chinese on both verification pages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from expertpool.db import make_session_factory, session_scope
from expertpool.services import panels as svc
from expertpool.services.packages import find_meeting
from expertpool.spreadsheet import LIMITS_TEXT
from tests.builders import S01
from tests.fixtures.web import csrf_token, do_login
from tests.web.test_meetingday import seal
from web import limits


def multipart_body(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body built here, so that the test client sends it from memory
    (given a dict it spools a large body to a temporary file it never closes)."""
    boundary = "----expertpool-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for name, body in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{name}.json"\r\nContent-Type: application/json\r\n\r\n'
        )
        parts.append(head.encode() + body + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_files(client: FlaskClient, url: str, files: dict[str, bytes]) -> tuple[int, str]:
    body, ctype = multipart_body({"csrf_token": csrf_token(client, url)}, files)
    resp = client.post(url, data=body, content_type=ctype)
    return resp.status_code, resp.get_data(as_text=True)


def _sealed_files(db: Engine) -> tuple[bytes, bytes]:
    seal(db)
    with session_scope(make_session_factory(db)) as s:
        panel = svc.current_panel(s, find_meeting(s, S01))
        assert panel is not None
        return svc.package_of(panel), svc.result_bytes(panel)


def test_each_page_states_the_limit_it_enforces(
    client: FlaskClient, demo_db: Engine, app: Flask
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == limits.DEFAULT_LIMIT.request_bytes
    assert f"文件不超过{limits.DEFAULT_LIMIT.text}" in LIMITS_TEXT  # the xlsx pages' text
    do_login(client, "jianguan")
    for endpoint, url in (
        ("regulator.verify_upload", "/regulator/verify"),
        ("meetingday.verify_upload", "/meetingday/verify"),
    ):
        limit = limits.page_limit(endpoint)
        page = client.get(url).get_data(as_text=True)
        assert f"每个文件不超过{limit.text}" in page
        assert page.count(f'data-max-bytes="{limit.file_bytes}"') == limit.files
        assert limit.text == "20 MB"


def test_meeting_verification_takes_the_files_its_page_promises(
    client: FlaskClient, demo_db: Engine
) -> None:
    pkg, res = _sealed_files(demo_db)
    do_login(client, "jianguan")
    # 6 MB is over the application's 5.25 MB but within the page's 20 MB: it is read and
    # judged (the old cap answered 413 before the view saw it).
    big = b" " * (6 * 1024 * 1024) + b"{}"
    status, page = post_files(
        client, "/meetingday/verify", {"package": pkg, "panel": res, "record": big}
    )
    assert status == 200 and "无法核验：format" in page


def test_meeting_verification_refuses_past_its_limit_naming_it(
    client: FlaskClient, demo_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    do_login(client, "jianguan")
    # Lowered so that the test client keeps the body in memory.
    small = limits.PageLimit(100 * 1024, files=3)
    monkeypatch.setitem(limits.PAGE_LIMITS, "meetingday.verify_upload", small)
    one = b" " * (150 * 1024)
    status, page = post_files(
        client, "/meetingday/verify", {"package": b"{}", "panel": b"{}", "record": one}
    )
    assert status == 200 and "例会记录文件超过100 KB的限制" in page
    over = b" " * (250 * 1024)  # three of them pass the request limit (3 × 100 KB + 256 KB)
    status, page = post_files(
        client, "/meetingday/verify", {"package": over, "panel": over, "record": over}
    )
    assert status == 413 and "例会记录核验" in page and "不能超过100 KB" in page


def _twice(data: bytes, key: str) -> bytes:
    """A JSON object with `key` written once more at its start."""
    return data.replace(b"{", b'{"' + key.encode() + b'": null, ', 1)


def test_duplicate_keys_are_refused_in_chinese_on_both_verification_pages(
    client: FlaskClient, demo_db: Engine
) -> None:
    pkg, res = _sealed_files(demo_db)
    do_login(client, "jianguan")
    status, page = post_files(
        client, "/regulator/verify", {"package": _twice(pkg, "format"), "result": res}
    )
    assert status == 200 and "无法核验" in page and "format" in page and "两次" in page
    status, page = post_files(
        client, "/regulator/verify", {"package": pkg, "result": _twice(res, "seed")}
    )
    assert status == 200 and "无法核验" in page and "seed" in page and "两次" in page
    status, page = post_files(
        client,
        "/meetingday/verify",
        {"package": pkg, "panel": _twice(res, "members"), "record": b"{}"},
    )
    assert status == 200 and "无法核验" in page and "members" in page and "两次" in page
