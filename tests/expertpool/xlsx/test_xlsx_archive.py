"""Issue 18 item 13: the one guarded xlsx reader (expertpool.spreadsheet.open_workbook, via
expertpool.xlsx_archive) refuses damaged archives and shared-string bombs with one Chinese
message, before openpyxl parses anything, using real crafted bytes."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import load_workbook

from expertpool.spreadsheet import XlsxError, data_rows, open_workbook
from expertpool.xlsx_archive import CORRUPT, MAX_SHARED_STRINGS, TOO_MANY_STRINGS, TOO_MUCH
from tests.expertpool.xlsx.crafted import (
    bad_crc,
    plain_workbook,
    rezip,
    shared_string_bomb,
    truncated,
)

HEADERS = ["姓名", "单位"]
# Over 16 KB of sheet XML: openpyxl's read-only sheet reads its first 16 KB when it opens
# and the rest only while the rows are iterated, which is where a bad CRC used to surface.
ROWS = [HEADERS] + [[f"张{i}", "大连测试大学"] for i in range(500)]


def refused(data: bytes) -> str:
    with pytest.raises(XlsxError) as info:
        wb = open_workbook(data)
        list(data_rows(wb, "Sheet", HEADERS))
    return info.value.message


def test_a_bad_crc_is_refused_before_the_rows_are_read() -> None:
    data = bad_crc(plain_workbook(ROWS))
    # Plain openpyxl opens it and fails in the middle of the rows: the old 500.
    wb = load_workbook(io.BytesIO(data), read_only=True)
    with pytest.raises(zipfile.BadZipFile):
        list(wb.worksheets[0].iter_rows())
    assert refused(data) == CORRUPT


def test_truncated_and_damaged_archives_get_the_same_message() -> None:
    good = plain_workbook(ROWS)
    assert refused(truncated(good)) == CORRUPT
    assert refused(good[:-30]) == CORRUPT  # the end of the central directory cut off
    assert refused(b"PK\x03\x04" + b"\x00" * 200) == CORRUPT


def test_a_good_file_still_reads() -> None:
    wb = open_workbook(plain_workbook(ROWS))
    assert len(list(data_rows(wb, "Sheet", HEADERS))) == 500


def test_millions_of_shared_strings_are_refused_fast_and_small() -> None:
    base = plain_workbook(ROWS)
    bomb = shared_string_bomb(base, 4_500_000)  # 76 MB of strings in ~200 KB
    assert len(bomb) < 320 * 1024
    tracemalloc.start()
    start = time.perf_counter()
    try:
        assert refused(bomb) == TOO_MUCH  # the part's size, from the zip's directory
        small = shared_string_bomb(base, 6_000_000, b"<si/>")  # 30 MB: within the part limit
        assert refused(small) == TOO_MANY_STRINGS  # counted while inflating, stopped early
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A bound on the damage, not a benchmark: openpyxl itself took 18 s for half of `small`.
    assert time.perf_counter() - start < 5
    assert peak < 64 * 1024 * 1024


def test_the_shared_string_count_is_exact_at_the_limit() -> None:
    base = plain_workbook(ROWS)
    item = b'<x:si xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    at_limit = shared_string_bomb(base, MAX_SHARED_STRINGS, item)
    open_workbook(at_limit).close()  # prefixed, and exactly at the limit: accepted
    assert refused(shared_string_bomb(base, MAX_SHARED_STRINGS + 1, item)) == TOO_MANY_STRINGS


def test_other_parts_have_a_smaller_limit() -> None:
    good = plain_workbook(ROWS)
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        styles = zf.read("xl/styles.xml")
    padded = styles.replace(b"</styleSheet>", b" " * (5 * 1024 * 1024) + b"</styleSheet>")
    assert refused(rezip(good, {"xl/styles.xml": padded})) == TOO_MUCH


def test_members_that_inflate_without_bound_are_refused() -> None:
    good = plain_workbook(ROWS)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info), zipfile.ZIP_BZIP2)
    assert refused(out.getvalue()) == CORRUPT
