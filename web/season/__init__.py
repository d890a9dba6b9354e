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
from expertpool.models import DrawSession
from expertpool.services import draw_sessions, jobs, meeting_dates
from expertpool.services import panels as svc
from expertpool.services import season as season_svc
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, request_clock, today, working_year
from web.forms import EmptyForm
from web.panels import draw_session_page
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
        pending=draw_sessions.pending_season(session, year),
        past=[
            m
            for m in season_svc.meetings_to_draw(session, year)
            if meeting_dates.has_ended(session, m, today())
        ],
        running=jobs.active(session, draw_sessions.season_job_key(year)),
        unfinished=draw_sessions.unfinished_season(session, year),
        job_states=jobs.STATES,
        waiver=draw_sessions.waiver_of(session, year),
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
    running = jobs.active(db_session(), draw_sessions.season_job_key(year))
    if running is not None and running.draw_session_id is not None:  # a second click
        flash(f"{year}年度的联合抽取正在后台进行，未重复开始；以下是它的进度。", "warning")
        return redirect(url_for("season.draw_session", session_id=running.draw_session_id))
    with attempt(_draw_failure) as act:
        ds = draw_sessions.open_season(
            db_session(),
            year,
            max_panels,
            current_actor(),
            seeds=current_app.config["SEED_SOURCE"],
            past_reason=request.form.get("past_reason", ""),
            clock=request_clock(),
        )
        if ds.state == "pending":
            act.done("已公示联合抽取的承诺值，请监督人输入第二部分随机数后抽取。")
        else:
            act.done(
                f"已开始年度联合抽取（第二部分随机数已关闭：{ds.waiver}），请在本页查看进度。",
                "warning",
            )
    twin = act.error.session_id if isinstance(act.error, draw_sessions.PendingCommitment) else None
    if twin is not None:  # a second click (another tab): show the pending one
        return redirect(url_for("season.draw_session", session_id=twin))
    if act.failed:
        return redirect(url_for("season.index"))
    if ds.run_id:
        return redirect(url_for("season.run", run_id=ds.run_id))
    return redirect(url_for("season.draw_session", session_id=ds.id))


def _season_session(session_id: int) -> DrawSession:
    ds = draw_sessions.get(db_session(), session_id)
    if ds is None or ds.kind != "season":
        abort(404)
    return ds


@bp.route("/draws/<int:session_id>")
@roles_required("bureau")
def draw_session(session_id: int) -> str:
    ds = _season_session(session_id)
    return draw_session_page("season/draw_session.html", ds)


@bp.route("/draws/<int:session_id>/abandon", methods=["POST"])
@roles_required("bureau")
def abandon_draw(session_id: int) -> Response:
    ds = _season_session(session_id)
    with attempt("未能放弃：") as act:
        draw_sessions.abandon(
            db_session(), ds, request.form.get("note", ""), current_actor(), clock=request_clock()
        )
        act.done("已放弃该联合抽取承诺（记录保留，监管可见）。")
    return redirect(url_for("season.draw_session", session_id=session_id))


@bp.route("/draws/<int:session_id>/rerun", methods=["POST"])
@roles_required("bureau")
def rerun(session_id: int) -> Response:
    """Start the run of a commitment again after its job failed (same seed, same plan)."""
    ds = _season_session(session_id)
    with attempt("未能重新开始：") as act:
        draw_sessions.queue_season(db_session(), ds, current_actor())
        act.done("已重新开始联合抽取（随机种子不变），请在本页查看进度。")
    return redirect(url_for("season.draw_session", session_id=session_id))


@bp.route("/waiver", methods=["POST"])
@roles_required("bureau")
def waiver() -> Response:
    """Switch the supervisor's second part off for the working year (with a reason), or on."""
    year = working_year()
    with attempt("未能修改：") as act:
        if request.form.get("off") == "1":
            draw_sessions.set_waiver(
                db_session(),
                year,
                request.form.get("reason", ""),
                current_actor(),
                clock=request_clock(),
            )
            act.done(
                f"已关闭{year}年度的第二部分随机数，理由将显示在每份受影响的名单上。", "warning"
            )
        else:
            draw_sessions.clear_waiver(db_session(), year, current_actor())
            act.done(f"已恢复{year}年度的第二部分随机数。")
    return redirect(url_for("season.index"))


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
    runs = season_svc.list_runs(session, int(data["year"]), limit=100)
    return render_template(
        "season/run.html",
        run=data,
        run_id=run_id,
        rows=rows,
        failed=failed,
        why=svc.why_reason_needed(session, int(data["year"]), run_id, data["plan"], runs),
        form=EmptyForm(),
    )


@bp.route("/runs/<run_id>/store", methods=["POST"])
@roles_required("bureau")
def store(run_id: str) -> Response:
    session = db_session()
    data = _run_or_404(session, run_id)
    season_data = season_svc.load_season(session, data.get("season_sha256", ""))
    if season_data is None:
        flash("找不到该次年度抽取的数据包，请重新抽取。", "error")
        return redirect(url_for("season.index"))
    with attempt("未能保存：") as act:
        runs = season_svc.list_runs(session, int(data["year"]), limit=100)
        stored = svc.store_plan(
            session,
            data["year"],
            season_data,
            data["plan"],
            current_actor(),
            reason=request.form.get("reason", ""),
            run_id=run_id,
            need_reason=svc.why_reason_needed(
                session, int(data["year"]), run_id, data["plan"], runs
            ),
            past=data.get("past") or {},
            clock=request_clock(),
        )
        season_svc.save_run(session, season_data, dict(data, stored=True))
        act.done(f"已将{len(stored)}次例会的抽取结果保存为各例会的当前评委名单。")
    return redirect(url_for("season.run", run_id=run_id))
