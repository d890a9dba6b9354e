"""Spreadsheet (xlsx) helpers: safe writing, bounded reading, nomination template and
import, and the pool export. No Flask here."""

from expertpool.xlsx.common import (
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    XlsxError,
    open_workbook,
    put,
    workbook_bytes,
)

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "XlsxError",
    "open_workbook",
    "put",
    "workbook_bytes",
]
