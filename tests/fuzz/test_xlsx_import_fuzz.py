"""The bulk nomination import under hostile files, through the web page: every one gives
one clear Chinese message, imports nothing, and is answered quickly.

The importer's limits (expertpool/spreadsheet.py): file ≤ 5 MB (MAX_FILE_BYTES; a bigger
request is refused with 413 before the view runs), ≤ 80 MB inflated (expertpool/xlsx_archive.py,
from the zip directory, so a zip bomb is never inflated), ≤ 2,000 data rows (MAX_ROWS),
≤ 500 characters per cell (MAX_CELL_CHARS), no formulas, the template's 13 headers.
"""

from __future__ import annotations

import io
import os
import re
import struct
import time
import zipfile
from collections.abc import Callable
from typing import IO
from xml.sax.saxutils import escape

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Engine

from bench.load_harness import multipart
from expertpool.db import make_session_factory, session_scope
from expertpool.services.nominations import year_committees
from expertpool.spreadsheet import MAX_CELL_CHARS, MAX_FILE_BYTES, MAX_ROWS
from expertpool.validators import make_id_card
from expertpool.xlsx.nominations import HEADERS
from tests.builders import nomination_count
from tests.fixtures.web import csrf_token, do_login

SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HAN = re.compile(r"[\u4e00-\u9fff]")
FLASH_ERROR = re.compile(r'<div class="flash flash-error" role="alert">([^<]+)</div>')
SECONDS = 20.0  # generous for a loaded CI machine; measured times are far lower


def valid_row(db: Engine, n: int = 1) -> list[str]:
    with session_scope(make_session_factory(db)) as s:
        c = year_committees(s, 2024)[0]
        name, spec = c.name, c.specialties[0]
    card = make_id_card(f"2102041975{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}")
    gender = "男" if int(card[16]) % 2 else "女"
    return [
        "曾国明",
        gender,
        card,
        "正高级",
        "正高级工程师",
        "工程",
        "13912345678",
        "zeng@example.cn",
        name,
        spec,
        "同意推荐。",
        "是",
        "是",
    ]


def workbook(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "专家推荐"
    ws.append(headers if headers is not None else HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_sheet(write: Callable[[IO[bytes]], None]) -> bytes:
    """A valid workbook whose sheet XML is streamed by ``write`` (for huge or odd sheets)."""
    src = zipfile.ZipFile(io.BytesIO(workbook([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename == SHEET:
                with z.open(SHEET, "w") as f:
                    write(f)
            else:
                z.writestr(info, src.read(info.filename))
    return out.getvalue()


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'.encode()


def _letter(i: int) -> str:
    return chr(ord("A") + i)


def sheet_writer(
    rows: int, *, row_values: list[str] | None = None, blank: bool = False
) -> Callable[[IO[bytes]], None]:
    def write(f: IO[bytes]) -> None:
        f.write(
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>'.encode()
        )
        f.write(
            b'<row r="1">'
            + b"".join(_cell(f"{_letter(i)}1", h) for i, h in enumerate(HEADERS))
            + b"</row>"
        )
        for r in range(2, rows + 2):
            if blank:
                f.write(f'<row r="{r}"/>'.encode())
            else:
                values = row_values or ["x"]
                f.write(
                    f'<row r="{r}">'.encode()
                    + b"".join(_cell(f"{_letter(i)}{r}", v) for i, v in enumerate(values))
                    + b"</row>"
                )
        f.write(b"</sheetData></worksheet>")

    return write


def zip_bomb(megabytes: int = 100) -> bytes:
    """~100 KB that inflates to a 100 MB sheet (whitespace inside the XML)."""

    def write(f: IO[bytes]) -> None:
        f.write(f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'.encode())
        chunk = b" " * (1 << 20)
        for _ in range(megabytes):
            f.write(chunk)
        f.write(b"</sheetData></worksheet>")

    return with_sheet(write)


def lying_sizes(data: bytes, name: str = SHEET, size: int = 1000) -> bytes:
    """The same zip with the entry's uncompressed size understated in both headers."""
    buf = bytearray(data)
    target = name.encode()
    i = buf.find(b"PK\x01\x02")
    while i != -1:
        name_len = struct.unpack_from("<H", buf, i + 28)[0]
        if bytes(buf[i + 46 : i + 46 + name_len]) == target:
            struct.pack_into("<I", buf, i + 24, size)
            local = struct.unpack_from("<I", buf, i + 42)[0]
            struct.pack_into("<I", buf, local + 22, size)
        i = buf.find(b"PK\x01\x02", i + 4)
    return bytes(buf)


def plain_zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
OLE_XLS = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 500


def upload(
    client: FlaskClient, content: bytes, filename: str = "推荐.xlsx"
) -> tuple[int, str, float]:
    token = csrf_token(client, "/unit/import")
    # Encoded here: the test client would spool a big body to a file it never closes.
    body, ctype = multipart({"csrf_token": token}, "file", filename, content)
    started = time.perf_counter()
    resp = client.post("/unit/import", data=body, content_type=ctype)
    return resp.status_code, resp.get_data(as_text=True), time.perf_counter() - started


def refused(client: FlaskClient, db: Engine, content: bytes, filename: str = "推荐.xlsx") -> str:
    """Upload; assert one Chinese error message, nothing imported, answered fast."""
    before = nomination_count(db)
    status, page, seconds = upload(client, content, filename)
    assert nomination_count(db) == before, "a refused file must import nothing"
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    if status == 413:
        assert "文件过大" in page
        return "413 文件过大"
    assert status == 200, (status, page[:2000])
    messages = FLASH_ERROR.findall(page)
    assert len(messages) == 1 and HAN.search(messages[0]), page[:3000]
    assert "导入成功" not in page
    return messages[0]


@pytest.fixture
def unit_client(client: FlaskClient, accounts: dict) -> FlaskClient:
    do_login(client, "unit_a")
    return client


@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.builds(lambda tail: b"PK\x03\x04" + tail, st.binary(max_size=3000)),
        st.builds(lambda tail: b"PK\x05\x06" + tail, st.binary(min_size=18, max_size=200)),
    )
)
def test_random_bytes(unit_client: FlaskClient, db: Engine, data: bytes) -> None:
    refused(unit_client, db, data)


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"", "empty.xlsx", "为空"),
        (PNG, "photo.xlsx", "文件格式不正确"),
        (OLE_XLS, "old.xlsx", "文件格式不正确"),
        ("姓名,性别\n曾国明,男\n".encode(), "list.xlsx", "文件格式不正确"),
        ("姓名\t性别\n".encode("gbk"), "list.txt", "文件格式不正确"),
        (plain_zip({"readme.txt": b"hello"}), "archive.xlsx", "文件格式不正确"),
        (plain_zip({"word/document.xml": b"<w/>"}), "letter.xlsx", "文件格式不正确"),
        (plain_zip({"xl/workbook.xml": b"<not-a-workbook"}), "broken.xlsx", "已损坏"),
    ],
)
def test_not_a_spreadsheet(
    unit_client: FlaskClient, db: Engine, content: bytes, filename: str, expected: str
) -> None:
    assert expected in refused(unit_client, db, content, filename)


def test_zip_bombs(unit_client: FlaskClient, db: Engine) -> None:
    bomb = zip_bomb(100)
    assert len(bomb) < 1024 * 1024
    assert "文件内容过大" in refused(unit_client, db, bomb)
    # The directory lies about the size: reading stops at the stated size (bad CRC).
    assert "已损坏" in refused(unit_client, db, lying_sizes(bomb))


def test_too_big_a_file(unit_client: FlaskClient, db: Engine) -> None:
    # Just over 5 MB: the view reads at most 5 MB + 1 byte and says so.
    assert "不能超过5 MB" in refused(unit_client, db, os.urandom(MAX_FILE_BYTES + 1024))
    # Past the request limit (5 MB + 256 KB): refused before the view runs.
    assert refused(unit_client, db, os.urandom(6 * 1024 * 1024)) == "413 文件过大"


def test_hundred_thousand_rows(unit_client: FlaskClient, db: Engine) -> None:
    # Full rows: 100,000 of them inflate past 80 MB, refused from the zip directory alone.
    data = with_sheet(sheet_writer(100_000, row_values=valid_row(db)))
    assert len(data) <= MAX_FILE_BYTES
    assert "文件内容过大" in refused(unit_client, db, data)
    # One cell a row: small enough to read, refused at row 2,001 of the data.
    data = with_sheet(sheet_writer(100_000, row_values=["曾国明"]))
    assert f"数据超过{MAX_ROWS}行" in refused(unit_client, db, data)


def test_a_million_blank_rows(unit_client: FlaskClient, db: Engine) -> None:
    """The worst a 5 MB file can ask for: every row Excel allows, all blank. It is refused
    once it passes ten times the row limit, without reading the rest."""
    data = with_sheet(sheet_writer(1_048_575, blank=True))
    assert len(data) <= MAX_FILE_BYTES
    assert "表格行数过多" in refused(unit_client, db, data)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (HEADERS[:-1], "第13列应为「单位承诺」"),
        ([*HEADERS, "备注"], "只应有13列"),
        (["name", *HEADERS[1:]], "第1列应为「姓名」，实际为「name」"),
        (list(reversed(HEADERS)), "第1列应为「姓名」"),
        ([], "第1列应为「姓名」，实际为「空」"),
        (["=A2", *HEADERS[1:]], "不能使用公式"),
        (["长" * (10 * 1024 * 1024), *HEADERS[1:]], "内容过长"),
    ],
)
def test_wrong_headers(
    unit_client: FlaskClient, db: Engine, headers: list[str], expected: str
) -> None:
    message = refused(unit_client, db, workbook([valid_row(db)], headers=headers))
    assert "表头与模板不符" in message and expected in message, message


def test_formulas_refused_by_row(unit_client: FlaskClient, db: Engine) -> None:
    rows = [valid_row(db, 1), valid_row(db, 2)]
    rows[1][0] = '=HYPERLINK("http://example.com","点我")'
    rows[0][10] = "=1+1"
    before = nomination_count(db)
    status, page, _ = upload(unit_client, workbook(rows))
    assert status == 200 and nomination_count(db) == before
    assert FLASH_ERROR.findall(page) == ["共有2行数据有错误，全部未导入，请修改后重新上传"]
    assert "第3行「姓名」：不能使用公式，请填写文本" in page
    assert "第2行「推荐意见」：不能使用公式，请填写文本" in page


@pytest.mark.parametrize("where", ["data", "header"])
def test_ten_megabyte_cell(unit_client: FlaskClient, db: Engine, where: str) -> None:
    huge = "长" * (10 * 1024 * 1024)
    if where == "data":
        row = valid_row(db)
        row[10] = huge
        data = workbook([row])
        assert len(data) < MAX_FILE_BYTES
        message = refused(unit_client, db, data)
        assert message.startswith("共有1行数据有错误")
        assert f"不能超过{MAX_CELL_CHARS}个字符" in upload(unit_client, data)[1]
    else:
        data = workbook([valid_row(db)], headers=[huge, *HEADERS[1:]])
        assert "内容过长" in refused(unit_client, db, data)


def test_a_valid_file_still_imports(unit_client: FlaskClient, db: Engine) -> None:
    before = nomination_count(db)
    status, page, _ = upload(unit_client, workbook([valid_row(db, 1), valid_row(db, 2)]))
    assert status == 302 and nomination_count(db) == before + 2
