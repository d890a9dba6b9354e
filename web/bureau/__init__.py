"""市人社局: review nominations, browse and manage the pool, dashboard, year settings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import Committee, Expert
from expertpool.models.enums import EXPERT_STATUSES, NOMINATION_STATUSES, RANKS
from expertpool.services import audit
from expertpool.services import meeting_record as mr
from expertpool.services import nominations as noms
from expertpool.services import pool as pool_svc
from expertpool.services import years as ys
from expertpool.services.meeting_record.rules import MODE_SOURCE
from expertpool.xlsx.pool_export import export_pool
from web.access import current_actor, roles_required
from web.actions import attempt
from web.bureau import dashboard as dash
from web.bureau import years as year_pages
from web.bureau.charts import short_committee_name
from web.bureau.workcal import date_lines
from web.context import db_session, now, today, working_year
from web.downloads import send_json, send_xlsx
from web.forms import EmptyForm, ReasonForm
from web.params import to_int

bp = Blueprint("bureau", __name__, url_prefix="/bureau")
year_pages.register(bp)


def _page_arg() -> int:
    return to_int(request.args.get("page", "1")) or 1


def _int_arg(name: str) -> int | None:
    return to_int(request.args.get(name, ""))


# ---------------------------------------------------------------------------
# Review queue
# ---------------------------------------------------------------------------


@bp.route("/")
@roles_required("bureau")
def queue() -> str:
    status = request.args.get("status", "已提交")
    if status and status not in NOMINATION_STATUSES:
        status = "已提交"
    q = request.args.get("q", "").strip()[:60]
    committee_id = _int_arg("committee")
    session = db_session()
    year = working_year()
    items = noms.review_queue(session, year, status=status, q=q, committee_id=committee_id)
    page = pool_svc.paginate(items, _page_arg(), 30)
    args = {"status": status, "q": q, "committee": committee_id or ""}
    return render_template(
        "bureau/queue.html",
        page=page,
        status=status,
        q=q,
        committee_id=committee_id,
        committees=noms.year_committees(session, year),
        short_name=short_committee_name,
        statuses=NOMINATION_STATUSES,
        counts=noms.status_counts(session, year),
        year=year,
        form=ReasonForm(),
        args={k: v for k, v in args.items() if v},
        deadline=noms.nomination_deadline(session, year),
    )


@bp.route("/nominations/approve", methods=["POST"])
@roles_required("bureau")
def approve_batch() -> Response:
    """The ticked nominations, each into all its nominated committees; all or nothing."""
    _reason_form()
    ids = [v for v in (to_int(c) for c in request.form.getlist("nomination_ids")) if v]
    with attempt("未能批量通过：") as act:
        experts = noms.approve_many(db_session(), current_actor(), ids, now=now())
        act.done(f"已批量通过{len(experts)}条推荐：" + "、".join(e.name for e in experts) + "。")
    return _back_to_queue()


@bp.route("/nominations/<int:nomination_id>")
@roles_required("bureau")
def nomination(nomination_id: int) -> str:
    session = db_session()
    try:
        item = noms.review_item(session, nomination_id)
    except UserError:
        abort(404)
    return render_template(
        "bureau/nomination.html",
        item=item,
        n=item.nomination,
        submitter=noms.submitter_label(session, item.nomination),
        form=ReasonForm(),
        deadline=noms.nomination_deadline(session, item.nomination.year),
    )


def _reason_form() -> ReasonForm:
    """The POSTed reason form, checked (its CSRF token); else 400."""
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    return form


def _back_to_queue() -> Response:
    target = request.form.get("next", "")
    if target.startswith("/bureau") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("bureau.queue"))


@bp.route("/nominations/<int:nomination_id>/approve", methods=["POST"])
@roles_required("bureau")
def approve(nomination_id: int) -> Response:
    _reason_form()
    chosen = [v for v in (to_int(c) for c in request.form.getlist("committee_ids")) if v]
    with attempt("未能通过：") as act:
        expert = noms.approve_nomination(
            db_session(), current_actor(), nomination_id, now=now(), committee_ids=chosen or None
        )
        act.done(f"已通过：{expert.name} 已进入专家库（{expert.code}）。")
    return _back_to_queue()


def _decide(nomination_id: int, action: str) -> Response:
    form = _reason_form()
    fn = noms.reject_nomination if action == "reject" else noms.return_nomination
    label = "驳回" if action == "reject" else "退回修改"
    with attempt(f"未能{label}：") as act:
        n = fn(db_session(), current_actor(), nomination_id, form.reason.data or "", now=now())
        act.done(f"已{label}：{n.name}（推荐编号{n.id}）。")
    return _back_to_queue()


@bp.route("/nominations/<int:nomination_id>/reject", methods=["POST"])
@roles_required("bureau")
def reject(nomination_id: int) -> Response:
    return _decide(nomination_id, "reject")


@bp.route("/nominations/<int:nomination_id>/return", methods=["POST"])
@roles_required("bureau")
def send_back(nomination_id: int) -> Response:
    return _decide(nomination_id, "return")


# ---------------------------------------------------------------------------
# Pool browser, expert record, status changes, export
# ---------------------------------------------------------------------------


def _pool_filter() -> pool_svc.PoolFilter:
    rank = request.args.get("rank", "")
    status = request.args.get("status", "")
    return pool_svc.PoolFilter(
        committee_id=_int_arg("committee"),
        specialty=request.args.get("specialty", "").strip()[:60],
        rank=rank if rank in RANKS else "",
        unit_id=_int_arg("unit"),
        status=status if status in EXPERT_STATUSES else "",
        q=request.args.get("q", "").strip()[:40],
    )


def _filter_args(flt: pool_svc.PoolFilter) -> dict[str, Any]:
    args = {
        "committee": flt.committee_id or "",
        "specialty": flt.specialty,
        "rank": flt.rank,
        "unit": flt.unit_id or "",
        "status": flt.status,
        "q": flt.q,
    }
    return {k: v for k, v in args.items() if v}


def _filtered_pool(session: Session) -> tuple[pool_svc.PoolFilter, list[Expert]]:
    """The filter of the request's query string and the experts it selects: what the pool
    page lists is what its export writes."""
    flt = _pool_filter()
    return flt, pool_svc.search_pool(session, flt)


@bp.route("/pool")
@roles_required("bureau")
def pool() -> str:
    session = db_session()
    flt = _pool_filter()
    page = pool_svc.pool_page(session, flt, _page_arg(), 50)
    committees = noms.year_committees(session, working_year())
    names = {c.id: short_committee_name(c.name) for c in session.scalars(select(Committee))}
    return render_template(
        "bureau/pool.html",
        page=page,
        flt=flt,
        args=_filter_args(flt),
        committees=committees,
        committee_names=names,
        units=pool_svc.units_with_experts(session),
        specialties=pool_svc.all_specialties(session),
        ranks=list(reversed(RANKS)),
        statuses=EXPERT_STATUSES,
    )


@bp.route("/pool/export.xlsx")
@roles_required("bureau")
def pool_export() -> Response:
    session = db_session()
    flt, experts = _filtered_pool(session)
    data = export_pool(session, experts)
    # Names, phones and e-mails of the whole pool leave the system: always on the trail.
    actor = current_actor()
    audit.record(
        session,
        actor.username,
        actor.role,
        "pool_export",
        "专家库",
        {"filters": _filter_args(flt), "rows": len(experts)},
    )
    session.commit()
    stamp = now().strftime("%Y%m%d")
    return send_xlsx(data, f"专家库导出_{stamp}.xlsx")


@bp.route("/experts/<int:expert_id>")
@roles_required("bureau")
def expert(expert_id: int) -> str:
    session = db_session()
    try:
        record = pool_svc.expert_record(session, expert_id, today=today())
    except UserError:
        abort(404)
    committees = {c.id: c.name for c in session.scalars(select(Committee))}
    return render_template(
        "bureau/expert.html",
        r=record,
        e=record.expert,
        committees=committees,
        statuses=[s for s in pool_svc.SETTABLE_STATUSES if s != record.expert.status],
        form=ReasonForm(),
        today=now().date(),
        tomorrow=(now().date() + timedelta(days=1)).isoformat(),
    )


def _date_field(name: str, label: str) -> date | None:
    """An optional yyyy-mm-dd form field; a malformed one is the user's error, by name."""
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{label}格式不正确（应如2024-09-30）", field=name) from None


def _status_failure(exc: UserError) -> str:
    if exc.field == "expert":  # no such expert: the page does not exist
        abort(404)
    return f"未能变更状态：{exc.message}"


@bp.route("/experts/<int:expert_id>/status", methods=["POST"])
@roles_required("bureau")
def expert_status(expert_id: int) -> Response:
    form = _reason_form()
    new_status = request.form.get("status", "")
    with attempt(_status_failure) as act:
        until = _date_field("until", "暂停至日期")
        change = pool_svc.change_status(
            db_session(),
            current_actor(),
            expert_id,
            new_status,
            form.reason.data or "",
            now=now(),
            until=until,
        )
        upto = f"（暂停至{until.isoformat()}）" if until else ""
        act.done(f"已将专家状态由“{change.old_status}”变更为“{change.new_status}”{upto}。")
    return redirect(url_for("bureau.expert", expert_id=expert_id))


# ---------------------------------------------------------------------------
# Year settings
# ---------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("bureau")
def settings() -> str | Response:
    session = db_session()
    year = working_year()
    form = EmptyForm()
    errors: dict[str, str] = {}
    deadline = noms.nomination_deadline(session, year)
    date_text = request.form.get("deadline_date", deadline.strftime("%Y-%m-%d"))
    time_text = request.form.get("deadline_time", deadline.strftime("%H:%M"))
    if request.method == "POST" and form.validate_on_submit():
        try:
            value = datetime.strptime(f"{date_text.strip()} {time_text.strip()}", "%Y-%m-%d %H:%M")
        except ValueError:
            errors["deadline"] = f"日期或时间格式不正确（日期如{year}-07-31，时间如23:59）"
        else:
            if value.second == 0 and value.minute == 59:
                value = value.replace(second=59)
            with attempt(None) as act:  # the message goes next to the field
                noms.set_deadline(
                    session, current_actor(), year, value, reason=request.form.get("reason", "")
                )
                act.done(f"已将{year}年推荐截止时间设为{noms.format_datetime(value)}。")
            if act.error is not None:
                errors[act.error.field if act.error.field == "reason" else "deadline"] = (
                    act.error.message
                )
            else:
                return redirect(url_for("bureau.settings"))
        flash("设置未保存，请修改标红的字段。", "error")
    return render_template(
        "bureau/settings.html",
        form=form,
        year=year,
        deadline=deadline,
        date_text=date_text,
        time_text=time_text,
        errors=errors,
        is_open=now() <= deadline,
        now_value=now(),
        frozen=ys.is_frozen(session, year),
        reason_text=request.form.get("reason", ""),
    )


# ---------------------------------------------------------------------------
# 评聘方式 of each committee, and the working calendar of years the package lacks
# ---------------------------------------------------------------------------


@bp.route("/review-modes", methods=["GET", "POST"])
@roles_required("bureau")
def review_modes() -> str | Response:
    session = db_session()
    form = EmptyForm()
    error = ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        committee = session.get(Committee, to_int(request.form.get("committee_id", "")) or 0)
        with attempt(None) as act:
            if committee is None:
                raise UserError("请选择评委会", field="committee_id")
            mode = mr.set_review_mode(
                session, committee, request.form.get("mode", ""), current_actor()
            )
            act.done(f"已将{committee.name}的评聘方式设为{mode.mode}。")
        if act.error is None:
            return redirect(url_for("bureau.review_modes"))
        error = act.error.message
    committees = list(session.scalars(select(Committee).order_by(Committee.id)))
    return render_template(
        "bureau/review_modes.html",
        form=form,
        error=error,
        rows=[(c, mr.review_mode(session, c)) for c in committees],
        modes=mr.REVIEW_MODES,
        source=MODE_SOURCE,
    )


@bp.route("/work-calendar", methods=["GET", "POST"])
@roles_required("bureau")
def work_calendar() -> str | Response:
    session = db_session()
    form = EmptyForm()
    error = ""
    year_text = request.form.get("year", str(working_year() + 1)).strip()
    holidays = request.form.get("holidays", "")
    workdays = request.form.get("workdays", "")
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        with attempt(None) as act:
            year = to_int(year_text)
            if year is None:
                raise UserError("年份应为四位数字，如2027", field="year")
            mr.save_year(
                session,
                year,
                date_lines(holidays, year, "法定节假日"),
                date_lines(workdays, year, "调休上班日"),
                current_actor(),
            )
            act.done(f"已录入{year}年的法定节假日和调休上班日。")
        if act.error is None:
            return redirect(url_for("bureau.work_calendar"))
        error = act.error.message
    return render_template(
        "bureau/work_calendar.html",
        form=form,
        error=error,
        year_text=year_text,
        holidays=holidays,
        workdays=workdays,
        years=sorted(mr.supplied_years(session).values(), key=lambda y: y.year),
    )


# ---------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------


@bp.route("/dashboard")
@roles_required("bureau")
def dashboard() -> str:
    return render_template(
        "bureau/dashboard.html",
        **dash.dashboard_context(db_session(), working_year(), now().date()),
    )


@bp.route("/dashboard/shortfall.json")
@roles_required("bureau")
def shortfall_json() -> Response:
    year = working_year()
    data = dash.shortfall_json(db_session(), year, now().date()).encode()
    return send_json(data, f"{year}年专家缺口.json", f"{year}-shortfall.json")


@bp.route("/dashboard/shortfall.xlsx")
@roles_required("bureau")
def shortfall_xlsx() -> Response:
    year = working_year()
    data = dash.shortfall_workbook(db_session(), year, now().date())
    return send_xlsx(data, f"{year}年专家缺口.xlsx")
