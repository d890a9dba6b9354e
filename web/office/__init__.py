"""评委会办事机构: meetings, applicants, conflicts, rules, draw, declines, seal and exports.

An office account sees only its own committees (User.committee_links); any other meeting or
panel answers 404, so an office cannot even learn which panels exist elsewhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import DrawSession, Meeting, Panel
from expertpool.models.enums import CONFLICT_REASONS
from expertpool.services import applicants as app_svc
from expertpool.services import audit, draw_sessions, meeting_dates, meeting_record, notices
from expertpool.services import meeting_settings as settings_svc
from expertpool.services import panels as svc
from expertpool.services.packages import effective_rules
from expertpool.services.panels import status_notices
from expertpool.spreadsheet import LIMITS_TEXT
from expertpool.validators import strip_control_characters
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, now, request_clock, today, working_year
from web.downloads import send_xlsx
from web.forms import EmptyForm, UploadForm
from web.office.export import panel_xlsx
from web.panels import (
    draw_session_page,
    logged_certificate_download,
    logged_json_download,
    panel_view,
    template_globals,
)
from web.params import to_int
from web.security import checks_control_characters_itself

bp = Blueprint("office", __name__, url_prefix="/office")


@bp.context_processor
def _globals() -> dict[str, Any]:
    return template_globals()


def _meeting(code: str) -> Meeting:
    session = db_session()
    meeting = session.scalar(
        select(Meeting).where(Meeting.code == code).options(selectinload(Meeting.committee))
    )
    if meeting is None or meeting.committee_id not in current_user.committee_ids:
        abort(404)
    return meeting


def _panel(panel_id: int) -> Panel:
    panel = db_session().get(Panel, panel_id)
    if panel is None or panel.meeting.committee_id not in current_user.committee_ids:
        abort(404)
    return panel


def _back(meeting: Meeting, anchor: str = "") -> Response:
    return redirect(url_for("office.meeting", code=meeting.code) + anchor)


def _require_form() -> None:
    """The POST carries a valid form (its CSRF token); else 400."""
    if not EmptyForm().validate_on_submit():
        abort(400)


# ---------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------


@bp.route("/")
@roles_required("office")
def index() -> str:
    session = db_session()
    year = working_year()
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.year == year, Meeting.committee_id.in_(current_user.committee_ids))
            .options(selectinload(Meeting.committee), selectinload(Meeting.applicants))
            .order_by(Meeting.window_start, Meeting.code)
        )
    )
    rows = [(m, svc.current_panel(session, m)) for m in meetings]
    return render_template("office/index.html", rows=rows, year=year)


# A failed applicant import is shown after a redirect (so a refresh does not upload again and
# the address reopens): its errors ride in the signed session cookie, about 4 KB in all, so
# only the first lines are kept there; the page says how many more there were.
IMPORT_ERRORS_KEY = "office_import_errors"
_KEPT_LINES = 20
_KEPT_CHARS = 600


def _keep_import_errors(meeting: Meeting, summary: str, lines: list[str]) -> None:
    kept: list[str] = []
    size = 0
    for line in lines[:_KEPT_LINES]:
        size += len(line)
        if size > _KEPT_CHARS and kept:
            break
        kept.append(line[:_KEPT_CHARS])
    flask_session[IMPORT_ERRORS_KEY] = {
        "meeting": meeting.code,
        "summary": summary,
        "lines": kept,
        "total": len(lines),
    }


def _take_import_errors(meeting: Meeting) -> dict[str, Any]:
    kept = flask_session.get(IMPORT_ERRORS_KEY)
    if not isinstance(kept, dict) or kept.get("meeting") != meeting.code:
        return {}
    flask_session.pop(IMPORT_ERRORS_KEY, None)
    return kept


def _meeting_page(meeting: Meeting) -> str:
    import_errors = _take_import_errors(meeting)
    session = db_session()
    panel = svc.current_panel(session, meeting)
    return render_template(
        "office/meeting.html",
        meeting=meeting,
        panel=panel,
        stale=svc.stale_notice(session, panel),
        season_origin=svc.season_notice(panel),
        pending=draw_sessions.pending_single(session, meeting),
        applicants=app_svc.list_applicants(session, meeting),
        high_skill=meeting_record.high_skill_by_specialty(meeting),
        conflicts=app_svc.list_conflicts(session, meeting),
        pool=app_svc.committee_pool(session, meeting),
        reasons=CONFLICT_REASONS,
        rules=effective_rules(meeting),
        when=meeting_dates.when(session, meeting, today()),
        form=EmptyForm(),
        upload=UploadForm(),
        limits=LIMITS_TEXT,
        template_columns=app_svc.template_columns_text(),
        import_errors=import_errors.get("lines", []),
        import_total=import_errors.get("total", 0),
        summary=import_errors.get("summary", ""),
    )


@bp.route("/meetings/<code>")
@roles_required("office")
def meeting(code: str) -> str:
    return _meeting_page(_meeting(code))


def _date(name: str, label: str) -> date:
    text = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{label}格式不正确（应为年-月-日）", field=name) from None


@bp.route("/meetings/<code>/dates", methods=["POST"])
@roles_required("office")
def dates(code: str) -> Response:
    meeting = _meeting(code)
    with attempt("未能保存：") as act:
        settings_svc.update_dates(
            db_session(),
            meeting,
            _date("window_start", "例会开始日期"),
            _date("window_end", "例会结束日期"),
            _date("dossier_deadline", "报卷截止日期"),
            current_actor(),
        )
        act.done("已保存例会时间和报卷截止日期。")
    return _back(meeting)


@bp.route("/meetings/<code>/applicants/template.xlsx")
@roles_required("office")
def applicant_template(code: str) -> Response:
    meeting = _meeting(code)
    return send_xlsx(app_svc.build_template(meeting), f"申报人导入模板-{meeting.code}.xlsx")


@bp.route("/meetings/<code>/applicants/import", methods=["POST"])
@roles_required("office")
def import_applicants(code: str) -> Response:
    meeting = _meeting(code)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    with attempt(None) as act:  # the errors are listed on the page, not flashed
        created = app_svc.import_applicants(db_session(), meeting, data, current_actor())
        act.done(f"已导入{len(created)}名申报人。")
    if isinstance(act.error, app_svc.ApplicantRowErrors):
        _keep_import_errors(meeting, act.error.message, act.error.lines())
        return _back(meeting, "#import-summary")
    if act.error is not None:
        _keep_import_errors(meeting, "文件无法导入", [act.error.message])
        return _back(meeting, "#import-summary")
    return _back(meeting, "#applicants")


@bp.route("/meetings/<code>/conflicts", methods=["POST"])
@roles_required("office")
def add_conflict(code: str) -> Response:
    meeting = _meeting(code)
    applicant_id = to_int(request.form.get("applicant_id", "")) or 0
    with attempt("未能登记回避：") as act:
        c = app_svc.add_conflict(
            db_session(),
            meeting,
            request.form.get("expert", ""),
            applicant_id,
            request.form.get("reason", ""),
            request.form.get("note", ""),
            current_actor(),
        )
        act.done(f"已登记回避：{c.expert.name} 回避申报人 {c.applicant.name}。")
    return _back(meeting, "#conflicts")


@bp.route("/meetings/<code>/conflicts/<int:conflict_id>/delete", methods=["POST"])
@roles_required("office")
def remove_conflict(code: str, conflict_id: int) -> Response:
    meeting = _meeting(code)
    with attempt("未能撤销：") as act:
        app_svc.remove_conflict(db_session(), meeting, conflict_id, current_actor())
        act.done("已撤销该回避。")
    return _back(meeting, "#conflicts")


@bp.route("/meetings/<code>/applicants/<int:applicant_id>/delete", methods=["POST"])
@roles_required("office")
def remove_applicant(code: str, applicant_id: int) -> Response:
    meeting = _meeting(code)
    _require_form()
    with attempt("未能删除：") as act:
        gone = app_svc.remove_applicant(db_session(), meeting, applicant_id, current_actor())
        act.done(f"已删除申报人 {gone.code} {gone.name}（及其回避登记）。")
    return _back(meeting, "#applicants")


@bp.route("/meetings/<code>/rules", methods=["GET", "POST"])
@checks_control_characters_itself  # the service names the rule, the form keeps the typing
@roles_required("office")
def rules(code: str) -> str | Response:
    meeting = _meeting(code)
    session = db_session()
    errors: dict[str, str] = {}
    values: dict[str, str] | None = None
    if request.method == "POST":
        _require_form()
        form = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            settings_svc.save_rule_settings(session, meeting, form, current_actor())
            session.commit()
            flash("已保存抽取规则（只记录与默认值不同的设置）。", "success")
            return redirect(url_for("office.rules", code=meeting.code))
        except settings_svc.SettingsError as exc:
            session.rollback()
            errors = exc.errors
            values = {k: strip_control_characters(v) for k, v in form.items()}
        except UserError as exc:
            session.rollback()
            flash(f"未能保存：{exc.message}", "error")
            return redirect(url_for("office.rules", code=meeting.code))
    return render_template(
        "office/rules.html",
        meeting=meeting,
        rows=settings_svc.rule_form(meeting, values, errors),
        groups_text=(values or {}).get("groups", settings_svc.groups_form_text(meeting)),
        groups_error=errors.get(settings_svc.GROUPS_INPUT, ""),
        errors=errors,
        form=EmptyForm(),
    )


@bp.route("/meetings/<code>/draw", methods=["POST"])
@roles_required("office")
def draw(code: str) -> Response:
    """Ask for a draw: the system's part of the seed is committed to (its SHA-256 shown);
    the draw runs when the supervisor enters the second part (draw_sessions)."""
    meeting = _meeting(code)
    _require_form()
    with attempt("未能抽取：") as act:
        ds = draw_sessions.open_single(
            db_session(),
            meeting,
            current_actor(),
            seeds=current_app.config["SEED_SOURCE"],
            reason=request.form.get("reason", ""),
            past_reason=request.form.get("past_reason", ""),
            clock=request_clock(),
        )
        if ds.state == "pending":
            act.done("已公示抽取承诺值，请监督人输入第二部分随机数后抽取。")
        else:
            act.done(f"已抽取评委（第二部分随机数已按年度设置关闭：{ds.waiver}）。", "warning")
    twin = act.error.session_id if isinstance(act.error, draw_sessions.PendingCommitment) else None
    if twin is not None:  # a second click (another tab): show the pending one
        return redirect(url_for("office.draw_session", session_id=twin))
    if act.failed:
        return _back(meeting)
    if ds.panel_id is not None:
        return redirect(url_for("office.panel", panel_id=ds.panel_id))
    return redirect(url_for("office.draw_session", session_id=ds.id))


def _draw_session(session_id: int) -> DrawSession:
    ds = draw_sessions.get(db_session(), session_id)
    if (
        ds is None
        or ds.meeting is None
        or ds.meeting.committee_id not in current_user.committee_ids
    ):
        abort(404)
    return ds


@bp.route("/draws/<int:session_id>")
@roles_required("office")
def draw_session(session_id: int) -> str:
    ds = _draw_session(session_id)
    return draw_session_page("office/draw_session.html", ds, meeting=ds.meeting)


@bp.route("/draws/<int:session_id>/abandon", methods=["POST"])
@roles_required("office")
def abandon_draw(session_id: int) -> Response:
    ds = _draw_session(session_id)
    _require_form()
    with attempt("未能放弃：") as act:
        draw_sessions.abandon(
            db_session(), ds, request.form.get("note", ""), current_actor(), clock=request_clock()
        )
        act.done("已放弃该抽取承诺（记录保留，监管可见）。")
    return redirect(url_for("office.draw_session", session_id=session_id))


# ---------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------


@bp.route("/meetings/<code>/panel")
@roles_required("office")
def current(code: str) -> Response:
    meeting = _meeting(code)
    panel = svc.current_panel(db_session(), meeting)
    if panel is None:
        flash("本次例会尚未抽取评委。", "warning")
        return _back(meeting)
    return redirect(url_for("office.panel", panel_id=panel.id))


@bp.route("/panels/<int:panel_id>")
@roles_required("office")
def panel(panel_id: int) -> str:
    p = _panel(panel_id)
    session = db_session()
    view = panel_view(session, p)
    svc.log_view(session, p, current_actor())
    session.commit()
    return render_template(
        "office/panel.html",
        view=view,
        meeting=p.meeting,
        form=EmptyForm(),
        is_current=svc.current_panel(session, p.meeting) is p,
        meeting_started=today() >= p.meeting.window_start,
        status_notices=status_notices.seat_notices(session, p),
        unconfirmed=notices.unconfirmed_members(session, p) if p.status == "drawn" else [],
    )


@bp.route("/panels/<int:panel_id>/decline", methods=["POST"])
@roles_required("office")
def decline(panel_id: int) -> Response:
    p = _panel(panel_id)
    _require_form()
    with attempt("未能登记请辞：") as act:
        out = svc.decline(
            db_session(),
            p,
            request.form.get("expert", ""),
            request.form.get("reason", ""),
            current_actor(),
            clock=request_clock(),
        )
        act.done(out.message, "success" if out.by else "error")
    return redirect(url_for("office.panel", panel_id=p.id))


def _refuse_unacknowledged(p: Panel) -> None:
    """The page's seal button names who is not yet 确认参加 and sends their codes; anyone
    else unconfirmed since (another tab, a 请辞 in between) is named and nothing is sealed."""
    if "acknowledged" not in request.form:
        return  # a scripted seal, as before notices existed
    seen = set(request.form.get("acknowledged", "").split(","))
    unseen = [s for s in notices.unconfirmed_members(db_session(), p) if s.expert.code not in seen]
    if unseen:
        names = "、".join(f"{s.expert.name}（{s.expert.code}）" for s in unseen)
        raise UserError(f"以下评委尚未确认参加：{names}。请刷新页面确认后再锁定", field="panel")


@bp.route("/panels/<int:panel_id>/seal", methods=["POST"])
@roles_required("office")
def seal(panel_id: int) -> Response:
    p = _panel(panel_id)
    _require_form()
    with attempt("未能锁定：") as act:
        _refuse_unacknowledged(p)
        svc.seal(db_session(), p, current_actor(), clock=request_clock())
        act.done("评委名单已锁定，此后不能再作任何修改。")
    return redirect(url_for("office.panel", panel_id=p.id))


@bp.route("/panels/<int:panel_id>/no-show", methods=["POST"])
@roles_required("office")
def no_show(panel_id: int) -> Response:
    p = _panel(panel_id)
    _require_form()
    with attempt("未能登记缺席：") as act:
        seat = meeting_record.record_absence(
            db_session(),
            p,
            request.form.get("expert", ""),
            request.form.get("reason", ""),
            current_actor(),
            today=today(),
            clock=request_clock(),
        )
        act.done(f"已登记{seat.expert.name}缺席，已记入该专家档案。")
    return redirect(url_for("office.panel", panel_id=p.id))


def _exportable(p: Panel) -> bool:
    """Whether the export is the final one (sealed) or a preview (drawn, not yet sealed); a
    panel without a list (infeasible, void) goes back to its page."""
    if p.status in ("sealed", "drawn"):
        return p.status == "sealed"
    flash("这次抽取没有可导出的评委名单。", "warning")
    abort(Response(status=302, headers={"Location": url_for("office.panel", panel_id=p.id)}))


@bp.route("/panels/<int:panel_id>/export.xlsx")
@roles_required("office")
def export_xlsx(panel_id: int) -> Response:
    p = _panel(panel_id)
    final = _exportable(p)
    session = db_session()
    what = "评委名单xlsx" if final else "评委名单xlsx（预览，未封存）"
    svc.log_export(session, p, current_actor(), what=what)
    data = panel_xlsx(session, p, head=audit.current_head(session))
    session.commit()
    code = p.meeting.code
    if final:
        return send_xlsx(data, f"评委名单-{code}.xlsx", f"{code}-panel.xlsx")
    return send_xlsx(data, f"评委名单-预览（未封存）-{code}.xlsx", f"{code}-panel-preview.xlsx")


@bp.route("/panels/<int:panel_id>/print")
@roles_required("office")
def print_view(panel_id: int) -> str:
    p = _panel(panel_id)
    final = _exportable(p)
    session = db_session()
    view = panel_view(session, p)
    what = "打印评委名单" if final else "打印评委名单（预览，未封存）"
    svc.log_export(session, p, current_actor(), what=what)
    head = audit.current_head(session)
    session.commit()
    return render_template(
        "office/print.html",
        view=view,
        meeting=p.meeting,
        printed=now(),
        preview=not final,
        audit_head=head,
    )


@bp.route("/panels/<int:panel_id>/package.json")
@roles_required("office")
def package_json(panel_id: int) -> Response:
    return logged_json_download(_panel(panel_id), "package", current_actor())


@bp.route("/panels/<int:panel_id>/result.json")
@roles_required("office")
def result_json(panel_id: int) -> Response:
    return logged_json_download(_panel(panel_id), "result", current_actor())


@bp.route("/panels/<int:panel_id>/certificate.json")
@roles_required("office")
def certificate_json(panel_id: int) -> Response:
    return logged_certificate_download(_panel(panel_id), current_actor())
