"""The year selector: while the bureau has opened next year early, every role switches between
the current working year and the opened next year (``expertpool.services.years.phases``).
The choice lives in the user's session; `web.context.working_year` honours it on every screen
while it is still selectable."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from werkzeug.wrappers import Response

from expertpool.models.enums import ROLES
from web.access import roles_required
from web.context import YEAR_KEY, default_year, year_choices
from web.forms import EmptyForm
from web.params import to_int

bp = Blueprint("workyear", __name__)


def _back() -> str:
    """Back to the page the selector was on (a local path only)."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("auth.home")


@bp.route("/year", methods=["POST"])
@roles_required(*ROLES)
def choose() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    year = to_int(request.form.get("year", ""), 2000, 2100)
    choices = year_choices()
    if year is None or year not in choices:
        offered = "、".join(f"{y}年度" for y in choices) or "无"
        flash(f"年度选择无效：只能选择{offered}", "error")
        return redirect(_back())
    session[YEAR_KEY] = year
    which = "当前年度" if year == default_year() else "已提前开启的下一年度"
    flash(f"已切换到{year}年度（{which}）。", "success")
    return redirect(_back())
