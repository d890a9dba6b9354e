"""抽取证明补发: the bureau or a regulator starts the background job that makes the
certificates of panels stored before draws carried them, and watches its progress."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from expertpool.services import certify_backfill
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, request_clock
from web.forms import EmptyForm
from web.jobs import panel_context

bp = Blueprint("certify", __name__, url_prefix="/certificates")


@bp.route("/")
@roles_required(*certify_backfill.STARTERS)
def index() -> str:
    session = db_session()
    return render_template(
        "certify/index.html",
        coverage=certify_backfill.coverage(session),
        form=EmptyForm(),
        **panel_context(session, certify_backfill.latest(session)),
    )


@bp.route("/backfill", methods=["POST"])
@roles_required(*certify_backfill.STARTERS)
def backfill() -> Response:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("certify.index"))
    with attempt("未能开始补发：") as act:
        certify_backfill.submit(db_session(), current_actor(), clock=request_clock())
        act.done("已开始在后台补发抽取证明，本页显示进度。")
    return redirect(url_for("certify.index"))
