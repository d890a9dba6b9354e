"""市人社局: draw every meeting of the working year jointly, see what fails and why, store.

The bureau sees each meeting's outcome (drawn or not, counts, the diagnosis) but not the
names: before a meeting ends its panel is visible only to its office and to regulators.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import Meeting
from expertpool.services import audit
from expertpool.services import panels as svc
from expertpool.services.season import (
    DEFAULT_MAX_PANELS,
    build_season,
    list_runs,
    load_run,
    load_season,
    save_run,
    sealed_meetings,
    season_bytes,
)
from solver.defaults import RULE_SOURCES
from solver.errors import PackageError
from solver.season.package import parse_season
from solver.season.plan import plan_season
from web.access import current_actor, roles_required
from web.app import db_session, working_year
from web.forms import EmptyForm
from web.params import to_int

bp = Blueprint("season", __name__, url_prefix="/season")

SEASON_RULES = {
    "season_overlap": "同一专家不能同时参加时间重叠的两次例会",
    "max_panels_per_expert": "每名专家每年参加的例会不超过规定次数",
}


def _rule_name(rule: str) -> str:
    if rule in SEASON_RULES:
        return SEASON_RULES[rule]
    return RULE_SOURCES.get(rule, (rule, ""))[0]


@bp.route("/")
@roles_required("bureau")
def index() -> str:
    year = working_year()
    session = db_session()
    runs = list_runs(session, year)
    return render_template(
        "season/index.html",
        year=year,
        runs=runs,
        sealed=sealed_meetings(session, year),
        default_max=DEFAULT_MAX_PANELS,
        form=EmptyForm(),
    )


@bp.route("/draw", methods=["POST"])
@roles_required("bureau")
def draw() -> Response:
    year = working_year()
    text = request.form.get("max_panels", "").strip()
    max_panels = to_int(text, 1, 30)
    if text and max_panels is None:  # ASCII digits only: '²' passes isdigit() but not int()
        flash("每名专家每年参加例会的上限应为1到30的整数，或留空表示不限。", "error")
        return redirect(url_for("season.index"))
    session = db_session()
    started = time.perf_counter()
    try:
        data = season_bytes(build_season(session, year, max_panels))
        season = parse_season(data)
        seed = current_app.config["SEED_SOURCE"]()
        plan = plan_season(season, seed, 1)
    except UserError as exc:
        flash(f"未能进行年度联合抽取：{exc.message}", "error")
        return redirect(url_for("season.index"))
    except PackageError as exc:
        flash(f"年度抽取数据有误：{exc.message}", "error")
        return redirect(url_for("season.index"))
    elapsed = round(time.perf_counter() - started, 2)
    run_id = save_run(
        session,
        data,
        {
            "year": year,
            "plan": plan,
            "elapsed": elapsed,
            "by": current_user.username,
            "max_panels": max_panels,
            "stored": False,
        },
        current_user.username,
    )
    drawn = sum(1 for p in plan["panels"].values() if p.get("status") == "drawn")
    audit.record(
        session,
        current_user.username,
        current_user.role,
        "season_draw",
        f"{year}年度",
        {"seed": seed, "meetings": len(plan["panels"]), "drawn": drawn, "elapsed": elapsed},
    )
    session.commit()
    flash(
        f"年度联合抽取完成，用时{elapsed}秒：{drawn}/{len(plan['panels'])}次例会抽出评委。",
        "success",
    )
    return redirect(url_for("season.run", run_id=run_id))


@bp.route("/runs/<run_id>")
@roles_required("bureau")
def run(run_id: str) -> str:
    session = db_session()
    data = load_run(session, run_id)
    if data is None:
        abort(404)
    meetings = {
        m.code: m
        for m in session.scalars(
            select(Meeting).where(Meeting.code.in_(list(data["plan"]["panels"])))
        )
    }
    rows: list[dict[str, Any]] = []
    for code, panel in sorted(data["plan"]["panels"].items()):
        m = meetings.get(code)
        rows.append(
            {
                "code": code,
                "meeting": m,
                "status": panel.get("status"),
                "members": len(panel.get("members", [])),
                "alternates": len(panel.get("alternates", [])),
                "uncovered": len(panel.get("uncovered", [])),
                "diagnosis": [
                    (_rule_name(str(d.get("rule", ""))), d.get("message", ""))
                    for d in panel.get("diagnosis", [])
                ],
            }
        )
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
    data = load_run(session, run_id)
    if data is None:
        abort(404)
    if data.get("stored"):
        flash("该次年度抽取结果已经保存过。", "warning")
        return redirect(url_for("season.run", run_id=run_id))
    season_data = load_season(session, data.get("season_sha256", ""))
    if season_data is None:
        flash("找不到该次年度抽取的数据包，请重新抽取。", "error")
        return redirect(url_for("season.index"))
    try:
        stored = svc.store_plan(
            session,
            data["year"],
            season_data,
            data["plan"],
            current_actor(),
        )
        save_run(session, season_data, dict(data, stored=True))
        session.commit()
    except UserError as exc:
        session.rollback()
        flash(f"未能保存：{exc.message}", "error")
        return redirect(url_for("season.run", run_id=run_id))
    flash(f"已将{len(stored)}次例会的抽取结果保存为各例会的当前评委名单。", "success")
    return redirect(url_for("season.run", run_id=run_id))
