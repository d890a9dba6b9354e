"""Size limits: one number per page, used by the server's request limit, the view's own
check, the page's text, the file inputs' `data-max-bytes` (checked in app.js before sending)
and the 413 page alike. Text fields get `maxlength` from their `Limit` validator (web/forms.py).

Most pages take at most one xlsx of `expertpool.spreadsheet.MAX_FILE_BYTES`; the two
verification pages take three JSON files of `verification.MAX_FILE_BYTES` each (the
command line's limit). `apply_page_limit` runs before any other request hook (CSRF, the
control-character guard) so that the first reader of the form already has the page's limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from expertpool.services.verification import MAX_FILE_BYTES as VERIFY_FILE_BYTES
from expertpool.spreadsheet import MAX_FILE_BYTES

FORM_OVERHEAD = 256 * 1024  # the other fields and the multipart framing


@dataclass(frozen=True)
class PageLimit:
    """What one page accepts: `files` files of at most `file_bytes` each."""

    file_bytes: int
    files: int = 1

    @property
    def request_bytes(self) -> int:
        return self.file_bytes * self.files + FORM_OVERHEAD

    @property
    def text(self) -> str:
        """“5 MB”: how the page, its messages and the 413 page write the per-file limit."""
        mb = 1024 * 1024
        if self.file_bytes % mb == 0:
            return f"{self.file_bytes // mb} MB"
        return f"{self.file_bytes // 1024} KB"


DEFAULT_LIMIT = PageLimit(MAX_FILE_BYTES)  # every xlsx upload page, and every other form
PAGE_LIMITS: dict[str, PageLimit] = {
    "regulator.verify_upload": PageLimit(
        VERIFY_FILE_BYTES, files=3
    ),  # package, result, certificate
    "meetingday.verify_upload": PageLimit(VERIFY_FILE_BYTES, files=3),
}
MAX_UPLOAD_BYTES = DEFAULT_LIMIT.file_bytes
MAX_REQUEST_BYTES = DEFAULT_LIMIT.request_bytes


def page_limit(endpoint: str | None = None) -> PageLimit:
    """The limit of the page `endpoint` (default: this request's)."""
    name = endpoint if endpoint is not None else request.endpoint
    return PAGE_LIMITS.get(name or "", DEFAULT_LIMIT)


def apply_page_limit() -> None:
    """Before-request hook: this page's request limit in place of the application's."""
    limit = page_limit()
    if limit is not DEFAULT_LIMIT:
        request.max_content_length = limit.request_bytes


# The forms that post, by endpoint: what the 413 page calls the form it came from.
FORM_NAMES: dict[str, str] = {
    "unit.new": "专家推荐表",
    "unit.edit": "专家推荐表（修改）",
    "unit.import_page": "专家推荐批量导入",
    "office.import_applicants": "申报人导入",
    "office.rules": "抽取规则设置",
    "office.dates": "例会时间",
    "office.add_conflict": "回避登记",
    "office.decline": "请辞登记",
    "office.draw": "抽取评委",
    "meetingday.tally_upload": "表决票数表格导入",
    "meetingday.verify_upload": "例会记录核验",
    "meetingday.votes": "表决票数登记",
    "regulator.verify_upload": "抽取数据包核验",
    "regulator.second_part": "第二部分随机数",
    "bureau.settings": "年度设置",
    "bureau.work_calendar": "工作日历",
    "bureau.review_modes": "评聘方式",
}


def _same_site(url: str | None) -> str | None:
    return url if url and url.startswith(request.host_url) else None


def back_url() -> str:
    """Where the form that posted can be opened again: its own address when it answers GET,
    else the page it was sent from (same site only), else the home page."""
    rule = request.url_rule
    if rule is not None and rule.methods is not None and "GET" in rule.methods:
        return request.path
    return _same_site(request.referrer) or url_for("auth.home")


def too_large() -> tuple[str, str, str]:
    """(form name, message, back address) for a request over the size limit."""
    name = FORM_NAMES.get(request.endpoint or "", "此表单")
    text = (
        f"提交的“{name}”超过大小限制（文件过大或文字过长）：上传的文件不能超过{page_limit().text}，"
        "填写的文字请按输入框旁的字数限制填写。本次提交没有保存任何内容。"
    )
    return name, text, back_url()
