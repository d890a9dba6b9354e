"""File downloads: every xlsx and JSON file the admin sends goes through here.

Names are Chinese, written as RFC 5987/6266 ``filename*=UTF-8''…`` so every browser saves
the file under its Chinese name. The ASCII ``filename=`` fallback is given by the caller
(`ascii_name`): Werkzeug's own fallback drops the Chinese letters, which made e.g. the draw
package and the result of one panel both "2024-S01--7.json".
"""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import send_file
from openpyxl import Workbook
from werkzeug.wrappers import Response

from expertpool.services.audit import HeadMark
from expertpool.spreadsheet import workbook_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_MIME = "application/json"


def send_bytes(
    data: bytes, filename: str, mimetype: str, ascii_name: str | None = None
) -> Response:
    """`data` as an attachment named `filename` (RFC 5987 for non-ASCII names), with
    `ascii_name` as the fallback for clients that read only ``filename=``."""
    resp = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    if ascii_name is not None and ascii_name.isascii():
        resp.headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
        )
    return resp


def send_xlsx(workbook: Workbook | bytes, filename: str, ascii_name: str | None = None) -> Response:
    """An xlsx workbook (or its bytes) as an attachment named `filename`."""
    data = workbook if isinstance(workbook, bytes) else workbook_bytes(workbook)
    return send_bytes(data, filename, XLSX_MIME, ascii_name)


def send_json(data: bytes, filename: str, ascii_name: str | None = None) -> Response:
    """A JSON file, exactly these bytes, as an attachment named `filename`."""
    return send_bytes(data, filename, JSON_MIME, ascii_name)


AUDIT_HEAD_HEADER = "X-Expertpool-Audit-Head"


def with_audit_head(resp: Response, head: HeadMark) -> Response:
    """A file whose bytes are fixed by its format (the draw package, the result and the
    meeting record are hashed and verified byte for byte) carries the audit chain's head in
    a response header instead (and `expertpool export-draw` prints it on stderr)."""
    resp.headers[AUDIT_HEAD_HEADER] = head.text()
    return resp
