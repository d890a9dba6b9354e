"""Hostile xlsx files built byte by byte: a member with a bad CRC, a truncated archive, and
shared-string bombs (a few hundred KB that hold millions of strings)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SST_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def plain_workbook(rows: list[list[object]] | None = None) -> bytes:
    """A small, valid workbook with text cells (so it has a shared-strings part)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows or [["姓名", "单位"], ["张三", "大连测试大学"]]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(
    data: bytes, replace: dict[str, bytes] | None = None, method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """`data`'s members written again (with `replace` swapped in), compressed by `method`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", method) as dst:
        for info in src.infolist():
            body = (replace or {}).get(info.filename, src.read(info))
            dst.writestr(info.filename, body, compress_type=method, compresslevel=9)
    return out.getvalue()


def bad_crc(data: bytes, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """`data` with one byte of `member` changed after its CRC was written: the directory is
    intact, so the archive opens, and the damage shows only when the member is read."""
    stored = rezip(data, method=zipfile.ZIP_STORED)
    with zipfile.ZipFile(io.BytesIO(stored)) as zf:
        info = zf.getinfo(member)
        body = zf.read(member)
    local_name_len = int.from_bytes(
        stored[info.header_offset + 26 : info.header_offset + 28], "little"
    )
    extra_len = int.from_bytes(stored[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + local_name_len + extra_len
    assert stored[start : start + len(body)] == body
    at = start + body.index(b'<row r="2"') + len(b'<row r="')  # still valid XML
    broken = bytearray(stored)
    broken[at] = ord("3")
    return bytes(broken)


def truncated(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def shared_string_bomb(data: bytes, count: int, item: bytes = b"<si><t>a</t></si>") -> bytes:
    """`data` (an openpyxl workbook, which writes inline strings) given a shared-strings part
    of `count` copies of `item`, declared where openpyxl looks for it: deflated to little."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = zf.read("[Content_Types].xml")
    override = b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + SST_TYPE + b'"/>'
    types = types.replace(b"</Types>", override + b"</Types>")
    sst = SST_HEAD + item * count + b"</sst>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = types if info.filename == "[Content_Types].xml" else src.read(info)
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED)
        dst.writestr("xl/sharedStrings.xml", sst, zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()
