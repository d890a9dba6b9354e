"""推荐单位: nominate experts (one at a time or by spreadsheet), see, edit and withdraw them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import Nomination
from expertpool.models.enums import NOMINATION_STATUSES
from expertpool.services import nominations as noms
from expertpool.services import pool as pool_svc
from expertpool.spreadsheet import LIMITS_TEXT, MAX_FILE_BYTES
from expertpool.xlsx.nominations import build_template, import_nominations
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, now, working_year
from web.downloads import send_xlsx
from web.forms import EmptyForm, NominationForm, UploadForm, apply_errors
from web.params import to_int
from web.security import checks_control_characters_itself

bp = Blueprint("unit", __name__, url_prefix="/unit")


def _deadline_context() -> dict[str, Any]:
    session = db_session()
    year = working_year()
    deadline = noms.nomination_deadline(session, year)
    return {"year": year, "deadline": deadline, "is_open": now() <= deadline}


def _form_input(form: NominationForm) -> noms.NominationInput:
    return noms.NominationInput(
        name=form.name.data or "",
        gender=form.gender.data or "",
        id_card=form.id_card.data or "",
        rank=form.rank.data or "",
        title_name=form.title_name.data or "",
        series=form.series.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        committee_ids=list(form.committee_ids.data or []),
        specialties=list(form.specialties.data or []),
        recommendation=form.recommendation.data or "",
        pledge_personal=bool(form.pledge_personal.data),
        pledge_unit=bool(form.pledge_unit.data),
    )


def _render_form(form: NominationForm, nomination: Nomination | None = None) -> str:
    session = db_session()
    committees = noms.year_committees(session, working_year())
    ctx = _deadline_context()
    if nomination is None:
        can_edit = ctx["is_open"]
    else:  # a returned nomination stays correctable after the deadline
        can_edit = noms.unit_can_change(session, nomination, now())
    return render_template(
        "unit/form.html",
        form=form,
        nomination=nomination,
        can_edit=can_edit,
        committees=committees,
        chosen_committees={int(c) for c in (form.committee_ids.data or [])},
        chosen_specialties=set(form.specialties.data or []),
        **ctx,
    )


@bp.route("/")
@roles_required("unit")
def index() -> str:
    session = db_session()
    ctx = _deadline_context()
    year = ctx["year"]
    unit_id = current_user.unit_id
    q = request.args.get("q", "").strip()[:60]
    status = request.args.get("status", "").strip()
    try:
        items = noms.search_unit_nominations(session, unit_id, year, q=q, status=status)
    except UserError as exc:
        flash(exc.message, "error")
        status = ""
        items = noms.search_unit_nominations(session, unit_id, year, q=q)
    page = pool_svc.paginate(
        items, to_int(request.args.get("page", "1")) or 1, current_app.config["PER_PAGE"]
    )
    returned = noms.search_unit_nominations(session, unit_id, year, status="已退回")
    committees = {c.id: c for c in noms.year_committees(session, year)}
    return render_template(
        "unit/index.html",
        page=page,
        q=q,
        status=status,
        statuses=NOMINATION_STATUSES,
        args={k: v for k, v in {"q": q, "status": status}.items() if v},
        changeable={n.id for n in page.items if noms.may_change(n.status, is_open=ctx["is_open"])},
        returned=len(returned),
        committees=committees,
        action_form=EmptyForm(),
        **ctx,
    )


@bp.route("/new", methods=["GET", "POST"])
@checks_control_characters_itself  # the service names the field, the form keeps the typing
@roles_required("unit")
def new() -> str | Response:
    form = NominationForm()
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(24)
        return _render_form(form)
    if not form.validate_on_submit():  # only the CSRF token can fail here
        flash("表单校验失败，请重试。", "error")
        return _render_form(form)
    session = db_session()
    token = form.token.data or None
    try:
        with attempt(_nomination_failure("提交未成功")) as act:
            nomination, created = noms.submit_nomination(
                session, current_actor(), working_year(), _form_input(form), now=now(), token=token
            )
    except IntegrityError:  # a concurrent retry with the same token won the race
        session.rollback()
        existing = noms.find_by_token(session, token or "")
        if existing is None:
            raise
        nomination, created = existing, False
    if act.error is not None:
        _field_errors(form, act.error)
        return _render_form(form)
    if created:
        flash(
            f"已提交推荐：{nomination.name}（推荐编号{nomination.id}），等待市人社局审核。",
            "success",
        )
    else:
        flash(f"该推荐已经提交过（推荐编号{nomination.id}），没有重复创建。", "info")
    return redirect(url_for("unit.detail", nomination_id=nomination.id))


def _nomination_failure(what: str) -> Callable[[UserError], str]:
    """The flash for a refused nomination form: how many fields to fix, or the message."""

    def text(exc: UserError) -> str:
        if isinstance(exc, noms.NominationInvalid):
            return f"{what}：有{len(exc.errors)}处需要修改，请查看标红的字段。"
        return exc.message

    return text


def _field_errors(form: NominationForm, exc: UserError) -> None:
    if isinstance(exc, noms.NominationInvalid):
        apply_errors(form, exc.errors)


def _own(nomination_id: int) -> Nomination:
    try:
        return noms.get_unit_nomination(db_session(), current_actor(), nomination_id)
    except UserError:
        abort(404)


@bp.route("/nominations/<int:nomination_id>")
@roles_required("unit")
def detail(nomination_id: int) -> str:
    nomination = _own(nomination_id)
    session = db_session()
    committees = {c.id: c for c in noms.year_committees(session, nomination.year)}
    return render_template(
        "unit/detail.html",
        n=nomination,
        can_change=noms.unit_can_change(session, nomination, now()),
        committees=committees,
        submitter=noms.submitter_label(session, nomination),
        action_form=EmptyForm(),
        **_deadline_context(),
    )


@bp.route("/nominations/<int:nomination_id>/edit", methods=["GET", "POST"])
@checks_control_characters_itself  # the service names the field, the form keeps the typing
@roles_required("unit")
def edit(nomination_id: int) -> str | Response:
    nomination = _own(nomination_id)
    if request.method == "GET":
        form = NominationForm(obj=nomination)
        form.pledge_personal.data = nomination.pledge_personal
        form.pledge_unit.data = nomination.pledge_unit
        if nomination.status not in noms.EDITABLE_STATUSES:
            flash(f"该推荐当前状态为“{nomination.status}”，不能修改。", "warning")
            return redirect(url_for("unit.detail", nomination_id=nomination.id))
        return _render_form(form, nomination)
    form = NominationForm()
    if not form.validate_on_submit():
        flash("表单校验失败，请重试。", "error")
        return _render_form(form, nomination)
    with attempt(_nomination_failure("保存未成功")) as act:
        noms.update_nomination(
            db_session(), current_actor(), nomination.id, _form_input(form), now=now()
        )
        act.done(f"已保存修改并重新提交：{nomination.name}（推荐编号{nomination.id}）。")
    if act.error is not None:
        _field_errors(form, act.error)
        return _render_form(form, nomination)
    return redirect(url_for("unit.detail", nomination_id=nomination.id))


@bp.route("/nominations/<int:nomination_id>/withdraw", methods=["POST"])
@roles_required("unit")
def withdraw(nomination_id: int) -> Response:
    nomination = _own(nomination_id)
    with attempt() as act:
        noms.withdraw_nomination(db_session(), current_actor(), nomination.id, now=now())
        act.done(f"已撤回推荐：{nomination.name}（推荐编号{nomination.id}）。")
    return redirect(url_for("unit.detail", nomination_id=nomination.id))


@bp.route("/template.xlsx")
@roles_required("unit", "bureau")
def template() -> Response:
    year = working_year()
    return send_xlsx(build_template(db_session(), year), f"{year}年评审专家推荐模板.xlsx")


def _import_refusal(form: UploadForm, ctx: dict[str, Any]) -> str | None:
    """Why this POST cannot import at all (the form or the deadline), or None."""
    if not form.validate_on_submit():
        return "表单校验失败，请重试。"
    if not ctx["is_open"]:
        return f"{ctx['year']}年评审专家推荐已于{noms.format_datetime(ctx['deadline'])}截止，不能再导入。"
    return None


@bp.route("/import", methods=["GET", "POST"])
@roles_required("unit")
def import_page() -> str | Response:
    form = UploadForm()
    ctx = _deadline_context()
    errors: list[str] = []
    summary = ""
    if request.method == "POST":
        refusal = _import_refusal(form, ctx)
        upload = form.file.data
        if refusal is not None:
            flash(refusal, "error")
        elif upload is None or not getattr(upload, "filename", ""):
            flash("请选择要上传的xlsx文件。", "error")
        else:
            data = upload.read(MAX_FILE_BYTES + 1)
            with attempt() as act:  # XlsxError is a UserError: its message is flashed
                created = import_nominations(
                    db_session(), current_actor(), ctx["year"], data, now=now()
                )
                act.done(f"导入成功：共{len(created)}名推荐专家，等待市人社局审核。")
            if isinstance(act.error, noms.RowErrors):
                summary = act.error.message
                errors = act.error.lines()
            elif act.error is None:
                return redirect(url_for("unit.index"))
    return render_template(
        "unit/import.html", form=form, errors=errors, summary=summary, limits=LIMITS_TEXT, **ctx
    )
