"""File downloads: every xlsx and JSON file the admin sends goes through here.

Names are Chinese. Werkzeug's `send_file` writes them as RFC 5987/6266
``filename*=UTF-8''…`` with an ASCII ``filename=`` fallback, so every browser saves the
file under its Chinese name.
"""

from __future__ import annotations

import io

from flask import send_file
from openpyxl import Workbook
from werkzeug.wrappers import Response

from expertpool.spreadsheet import workbook_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_MIME = "application/json"


def send_bytes(data: bytes, filename: str, mimetype: str) -> Response:
    """`data` as an attachment named `filename` (RFC 5987 for non-ASCII names)."""
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename
    )


def send_xlsx(workbook: Workbook | bytes, filename: str) -> Response:
    """An xlsx workbook (or its bytes) as an attachment named `filename`."""
    data = workbook if isinstance(workbook, bytes) else workbook_bytes(workbook)
    return send_bytes(data, filename, XLSX_MIME)


def send_json(data: bytes, filename: str) -> Response:
    """A JSON file, exactly these bytes, as an attachment named `filename`."""
    return send_bytes(data, filename, JSON_MIME)
