"""Size limits: one configured number for the server and the pages, and the 413 page.

The upload limit is `expertpool.spreadsheet.MAX_FILE_BYTES` (what the xlsx readers accept);
the request may carry a little form overhead beyond it. Templates get it as
`max_upload_bytes` (file inputs carry it as `data-max-bytes`, checked in app.js before
sending), and text fields get `maxlength` from their `Limit` validator (web/forms.py).
"""

from __future__ import annotations

from flask import request, url_for

from expertpool.spreadsheet import MAX_FILE_BYTES
from expertpool.validators import echo

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 256 * 1024
UPLOAD_LIMIT_TEXT = f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB"

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
        f"提交的“{echo(name)}”超过大小限制（文件过大或文字过长）：上传的文件不能超过{UPLOAD_LIMIT_TEXT}，"
        "填写的文字请按输入框旁的字数限制填写。本次提交没有保存任何内容。"
    )
    return name, text, back_url()
