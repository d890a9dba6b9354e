"""通知与确认: the office's call list for one drawn panel (phones in full, only here), where
each contact and reply is recorded; the regulator reads the same page without the forms.

Another committee's office gets 404 (as for every panel page: it cannot learn which panels
exist elsewhere); units and the bureau get 403.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import Panel
from expertpool.services import notices
from expertpool.services import panels as svc
from expertpool.services.notices.callback import CallbackRefused, handle_callback
from expertpool.services.notices.gateway import gateway_from_env
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, now, request_clock
from web.downloads import send_xlsx
from web.extensions import csrf
from web.forms import EmptyForm
from web.notice_export import call_list_xlsx
from web.panels import template_globals
from web.params import to_int

bp = Blueprint("notices", __name__)
MAX_CALLBACK_BYTES = 4096


@bp.context_processor
def _globals() -> dict[str, object]:
    return template_globals()


def _panel(panel_id: int, *, own: bool) -> Panel:
    panel = db_session().get(Panel, panel_id)
    if panel is None or (own and panel.meeting.committee_id not in current_user.committee_ids):
        abort(404)
    return panel


def _page(p: Panel, *, editable: bool) -> str:
    session = db_session()
    board = notices.board(session, p)
    svc.log_view(session, p, current_actor(), what="通知与确认名单（含联系电话）")
    session.commit()
    return render_template(
        "notices/page.html",
        board=board,
        meeting=p.meeting,
        panel=p,
        editable=editable and p.status == "drawn" and svc.current_panel(session, p.meeting) is p,
        form=EmptyForm(),
        now_local=now(),
        outcomes=notices.OUTCOMES,
        channel_labels=notices.CHANNELS,
        back_url=url_for(f"{current_user.role}.panel", panel_id=p.id),
        back_text="评委名单" if current_user.role == "office" else "核验报告",
        channels={k: v for k, v in notices.CHANNELS.items() if k != "gateway"},
        template=notices.template_of(session, p.meeting.committee),
        template_fields=notices.TEMPLATE_FIELDS,
        outbox=notices.outbox(session, p),
        outbox_states=notices.OUTBOX_STATES,
        gateway_on=gateway_from_env() is not None,
    )


def _require_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/office/panels/<int:panel_id>/notices")
@roles_required("office")
def office_page(panel_id: int) -> str:
    return _page(_panel(panel_id, own=True), editable=True)


@bp.route("/regulator/panels/<int:panel_id>/notices")
@roles_required("regulator")
def regulator_page(panel_id: int) -> str:
    return _page(_panel(panel_id, own=False), editable=False)


def _back(p: Panel) -> Response:
    return redirect(url_for("notices.office_page", panel_id=p.id))


@bp.route("/office/panels/<int:panel_id>/notices/record", methods=["POST"])
@roles_required("office")
def record(panel_id: int) -> Response:
    p = _panel(panel_id, own=True)
    _require_form()
    with attempt("未能登记：") as act:
        seat_id = to_int(request.form.get("seat", ""), 1, 2**31 - 1)
        version = to_int(request.form.get("version", ""), 0, 2**31 - 1)
        if seat_id is None or version is None:
            raise UserError("请求缺少专家或状态版本，请刷新页面后再登记", field="expert")
        message = notices.record_reply(
            db_session(),
            p,
            seat_id,
            request.form.get("outcome", ""),
            request.form.get("channel", ""),
            request.form.get("note", ""),
            version,
            current_actor(),
            clock=request_clock(),
        )
        act.done(message)
    return _back(p)


def _deadline_value() -> datetime:
    raw = request.form.get("deadline", "").strip()
    try:
        return datetime.fromisoformat(raw).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        raise UserError("请填写答复截止时间（日期和时刻）", field="deadline") from None


@bp.route("/office/panels/<int:panel_id>/notices/deadline", methods=["POST"])
@roles_required("office")
def deadline(panel_id: int) -> Response:
    p = _panel(panel_id, own=True)
    _require_form()
    with attempt("未能设定答复截止时间：") as act:
        row = notices.set_deadline(
            db_session(), p, _deadline_value(), current_actor(), clock=request_clock()
        )
        act.done(f"答复截止时间已设为{row.deadline.isoformat(sep=' ', timespec='minutes')}")
    return _back(p)


@bp.route("/office/panels/<int:panel_id>/notices/template", methods=["POST"])
@roles_required("office")
def template(panel_id: int) -> Response:
    p = _panel(panel_id, own=True)
    _require_form()
    with attempt("未能保存通知模板：") as act:
        fields = {k: request.form.get(k, "") for k in notices.TEMPLATE_FIELDS}
        notices.save_template(db_session(), p, fields, current_actor(), clock=request_clock())
        act.done(f"已保存{p.meeting.committee.name}的通知模板")
    return _back(p)


@bp.route("/office/panels/<int:panel_id>/notices/send", methods=["POST"])
@roles_required("office")
def send(panel_id: int) -> Response:
    p = _panel(panel_id, own=True)
    _require_form()
    with attempt("未能生成通知：") as act:
        out = notices.send_notices(
            db_session(),
            p,
            current_actor(),
            gateway=gateway_from_env() is not None,
            clock=request_clock(),
        )
        act.done(out.message, "warning")
    return _back(p)


def _call_list(p: Panel, what: str) -> list[tuple[object, object]]:
    session = db_session()
    rows = notices.outbox(session, p)
    svc.log_export(session, p, current_actor(), what=what)
    session.commit()
    return list(rows)


@bp.route("/office/panels/<int:panel_id>/notices/calls")
@roles_required("office")
def calls(panel_id: int) -> str:
    p = _panel(panel_id, own=True)
    rows = _call_list(p, "通话名单（打印）")
    return render_template(
        "notices/calls.html", panel=p, meeting=p.meeting, rows=rows, printed=now()
    )


@bp.route("/office/panels/<int:panel_id>/notices/calls.xlsx")
@roles_required("office")
def calls_xlsx(panel_id: int) -> Response:
    p = _panel(panel_id, own=True)
    session = db_session()
    data = call_list_xlsx(notices.outbox(session, p), notices.board(session, p), now())
    svc.log_export(session, p, current_actor(), what="通话名单xlsx")
    session.commit()
    code = p.meeting.code
    return send_xlsx(data, f"通话名单-{code}.xlsx", f"{code}-calls.xlsx")


@bp.route("/notices/sms/callback", methods=["POST"])
def sms_callback() -> tuple[Response, int]:
    """The gateway's reply callback: signed, not logged in, CSRF-exempt. Every refusal gives
    the same answer, so a caller learns nothing about panels, messages or members."""
    gateway = gateway_from_env()
    session = db_session()
    try:
        if gateway is None:
            raise CallbackRefused("no gateway")
        handle_callback(
            session,
            gateway.secret,
            request.get_data(cache=False)[:MAX_CALLBACK_BYTES],
            request.headers.get("X-Signature", ""),
            clock=request_clock(),
        )
        session.commit()
    except CallbackRefused:
        session.rollback()
        return jsonify({"ok": False}), 403
    return jsonify({"ok": True}), 200


csrf.exempt(sms_callback)  # signed by the gateway instead; it holds no session
