"""Issue 18 item 13 through the four xlsx upload pages (专家推荐批量导入, 申报人导入, 表决票数
表格导入, 例会计划时间表导入): a file with a bad CRC and a shared-string bomb each get the one
Chinese message on the page, never a 500, and nothing is saved."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine

from expertpool.services.years.table import HEADERS as YEAR_HEADERS
from expertpool.xlsx_archive import CORRUPT, TOO_MANY_STRINGS
from tests.builders import S01, table_counts
from tests.expertpool.xlsx.crafted import bad_crc, shared_string_bomb
from tests.fixtures.web import Clock, csrf_token, do_login
from tests.web.test_meetingday import seal

PADDING = 300  # rows: the sheet's XML passes 16 KB, so the CRC is checked only while reading


def padded(template: bytes, width: int) -> bytes:
    """The page's own template with PADDING filled rows (their content does not matter: the
    damage is found before any row is judged)."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    for i in range(PADDING):
        ws.append([f"第{i}行的文字内容用于填充"] * width)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def year_table() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(YEAR_HEADERS)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _post_file(client: FlaskClient, url: str, token: str, data: bytes, **form: str) -> str:
    resp = client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(data), "a.xlsx"), **form},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def unit_page(client: FlaskClient, clock: Clock) -> tuple[bytes, Callable[[bytes], str]]:
    do_login(client, "dlut")
    token = csrf_token(client, "/unit/import")
    template = padded(client.get("/unit/template.xlsx").data, 13)
    return template, lambda data: _post_file(client, "/unit/import", token, data)


def office_page(client: FlaskClient, clock: Clock) -> tuple[bytes, Callable[[bytes], str]]:
    do_login(client, "zjj")
    base = f"/office/meetings/{S01}"
    token = csrf_token(client, base)
    template = padded(client.get(f"{base}/applicants/template.xlsx").data, 9)
    return template, lambda data: _post_file(client, f"{base}/applicants/import", token, data)


def tally_page(client: FlaskClient, clock: Clock) -> tuple[bytes, Callable[[bytes], str]]:
    clock.now = datetime(2024, 10, 22, 9, 0)
    do_login(client, "zjj")
    base = f"/meetingday/{S01}"
    token = csrf_token(client, base)
    assert client.post(f"{base}/open", data={"csrf_token": token}).status_code == 302
    page = client.get(base).get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    template = padded(client.get(f"{base}/tally-template.xlsx").data, 5)
    return template, lambda data: _post_file(client, f"{base}/tally", token, data, version=version)


def year_page(client: FlaskClient, clock: Clock) -> tuple[bytes, Callable[[bytes], str]]:
    do_login(client, "rsj")
    token = csrf_token(client, "/bureau/years/2024")
    template = padded(year_table(), len(YEAR_HEADERS))
    return template, lambda data: _post_file(client, "/bureau/years/2024/import", token, data)


@pytest.mark.parametrize("page", [unit_page, office_page, tally_page, year_page])
def test_damaged_and_bomb_files_get_one_message_on_every_upload_page(
    client: FlaskClient, demo_db: Engine, clock: Clock, page: Callable[..., tuple]
) -> None:
    if page is tally_page:
        seal(demo_db)
    template, post = page(client, clock)
    before = stored(demo_db)
    assert CORRUPT in post(bad_crc(template))
    assert TOO_MANY_STRINGS in post(shared_string_bomb(template, 3_000_000, b"<si/>"))
    assert stored(demo_db) == before


def stored(db: Engine) -> dict[str, int]:
    """Row counts, without the audit trail (showing the meeting-day page is audited)."""
    return {k: v for k, v in table_counts(db).items() if not k.startswith("audit_")}
