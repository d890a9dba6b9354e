"""市人社局: draw every meeting of the working year jointly, see what fails and why, store.

The bureau sees each meeting's outcome (drawn or not, counts, the diagnosis) but not the
names: before a meeting ends its panel is visible only to its office and to regulators.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.services import panels as svc
from expertpool.services import season as season_svc
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, working_year
from web.forms import EmptyForm
from web.params import to_int

bp = Blueprint("season", __name__, url_prefix="/season")


@bp.route("/")
@roles_required("bureau")
def index() -> str:
    year = working_year()
    session = db_session()
    runs = season_svc.list_runs(session, year)
    return render_template(
        "season/index.html",
        year=year,
        runs=runs,
        sealed=season_svc.sealed_meetings(session, year),
        default_max=season_svc.DEFAULT_MAX_PANELS,
        form=EmptyForm(),
    )


def _draw_failure(exc: UserError) -> str:
    if isinstance(exc, season_svc.SeasonDataError):
        return f"年度抽取数据有误：{exc.message}"
    return f"未能进行年度联合抽取：{exc.message}"


@bp.route("/draw", methods=["POST"])
@roles_required("bureau")
def draw() -> Response:
    year = working_year()
    text = request.form.get("max_panels", "").strip()
    max_panels = to_int(text, 1, 30)
    if text and max_panels is None:  # ASCII digits only: '²' passes isdigit() but not int()
        flash("每名专家每年参加例会的上限应为1到30的整数，或留空表示不限。", "error")
        return redirect(url_for("season.index"))
    with attempt(_draw_failure) as act:
        out = season_svc.run_season(
            db_session(),
            year,
            max_panels,
            current_actor(),
            seeds=current_app.config["SEED_SOURCE"],
        )
        act.done(
            f"年度联合抽取完成，用时{out.elapsed}秒：{out.drawn}/{out.meetings}次例会抽出评委。"
        )
    if act.failed:
        return redirect(url_for("season.index"))
    return redirect(url_for("season.run", run_id=out.run_id))


def _run_or_404(session: Session, run_id: str) -> dict[str, Any]:
    data = season_svc.load_run(session, run_id)
    if data is None:
        abort(404)
    return data


@bp.route("/runs/<run_id>")
@roles_required("bureau")
def run(run_id: str) -> str:
    session = db_session()
    data = _run_or_404(session, run_id)
    rows = season_svc.run_rows(session, data)
    failed = [r for r in rows if r["status"] != "drawn"]
    return render_template(
        "season/run.html",
        run=data,
        run_id=run_id,
        rows=rows,
        failed=failed,
        form=EmptyForm(),
    )


@bp.route("/runs/<run_id>/store", methods=["POST"])
@roles_required("bureau")
def store(run_id: str) -> Response:
    session = db_session()
    data = _run_or_404(session, run_id)
    if data.get("stored"):
        flash("该次年度抽取结果已经保存过。", "warning")
        return redirect(url_for("season.run", run_id=run_id))
    season_data = season_svc.load_season(session, data.get("season_sha256", ""))
    if season_data is None:
        flash("找不到该次年度抽取的数据包，请重新抽取。", "error")
        return redirect(url_for("season.index"))
    with attempt("未能保存：") as act:
        stored = svc.store_plan(
            session,
            data["year"],
            season_data,
            data["plan"],
            current_actor(),
        )
        season_svc.save_run(session, season_data, dict(data, stored=True))
        act.done(f"已将{len(stored)}次例会的抽取结果保存为各例会的当前评委名单。")
    return redirect(url_for("season.run", run_id=run_id))
