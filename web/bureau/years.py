"""年度管理: list the working years, open the next one, edit its committees, import the
notice's attachment table. Thin views over ``expertpool.services.years``."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import Meeting
from expertpool.services import years as ys
from expertpool.services.catalogue_sync import default_deadline
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, today
from web.forms import EmptyForm

YEAR_FIELDS = ("specialties", "meeting_period", "dossier", "department", "contact", "phone")


def _year_input() -> ys.CommitteeYearInput:
    return ys.CommitteeYearInput(**{k: request.form.get(k, "") for k in YEAR_FIELDS})


def _meeting_values(meeting: Meeting) -> dict[str, str]:
    profile = meeting.profile or {}
    committee = meeting.committee
    return {
        "specialties": "、".join(profile.get("specialties") or committee.specialties),
        "meeting_period": meeting.period_text,
        "dossier": profile.get("dossier_period") or meeting.dossier_deadline.isoformat(),
        "department": profile.get("department") or committee.department,
        "contact": profile.get("contact") or committee.contact,
        "phone": profile.get("phone") or committee.phone,
    }


def _parse_deadline(text: str, year: int) -> datetime:
    if not text.strip():
        return default_deadline(year)
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise UserError("推荐截止日期格式不正确（如2027-07-31）", field="deadline") from None
    if day.year != year:
        raise UserError(f"推荐截止日期应在{year}年内", field="deadline")
    return day.replace(hour=23, minute=59, second=59)


def _opened_message(new: int, latest: int) -> str:
    text = f"已开启{new}年度：评委会、专业设置、例会时间和报卷截止时间已从{latest}年度复制。"
    if today().year < new:
        text += f"{latest}年度仍是当前年度，直到{new}年1月1日；可在页面顶部的年度选择中切换到{new}年度。"
    return text


def years_index() -> str | Response:
    session = db_session()
    form = EmptyForm()
    rows = ys.list_years(session)
    latest = rows[0].year.year if rows else None
    error = ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        with attempt(None) as act:
            if latest is None:
                raise UserError("尚未载入任何年度的评委会目录", field="year")
            if request.form.get("confirm") != "yes":
                raise UserError(
                    f"请勾选确认：已阅读开启{latest + 1}年度带来的变化（见页面上的列表）",
                    field="confirm",
                )
            new = latest + 1
            deadline = _parse_deadline(request.form.get("deadline", ""), new)
            ys.open_year(session, current_actor(), new, deadline=deadline)
            act.done(_opened_message(new, latest))
        if act.error is None:
            return redirect(url_for("bureau.year_detail", year=latest + 1))
        error = act.error.message
    return render_template(
        "bureau/years.html",
        form=form,
        rows=rows,
        latest=latest,
        phases={r.year.year: ys.year_phase(session, r.year.year, today()) for r in rows},
        effects=ys.opening_effects(session, latest + 1, today()) if latest else [],
        error=error,
        deadline_text=request.form.get("deadline", f"{(latest or 0) + 1}-07-31"),
    )


def _year_page(year: int, **extra: object) -> str:
    session = db_session()
    rows = {r.year.year: r for r in ys.list_years(session)}
    if year not in rows:
        abort(404)
    meetings = ys.year_meetings(session, year)
    return render_template(
        "bureau/year.html",
        form=EmptyForm(),
        year=year,
        row=rows[year],
        editable=year == max(rows),
        latest=max(rows),
        phase=ys.year_phase(session, year, today()),
        meetings=[(m, _meeting_values(m)) for m in meetings],
        headers=ys.HEADERS,
        new_values=extra.pop("new_values", {}),
        **extra,
    )


def year_detail(year: int) -> str:
    return _year_page(year)


def _find_meeting(year: int, code: str) -> Meeting:
    meeting = db_session().scalar(select(Meeting).where(Meeting.code == code, Meeting.year == year))
    if meeting is None:
        abort(404)
    return meeting


def year_meeting(year: int, code: str) -> str | Response:
    meeting = _find_meeting(year, code)
    form = EmptyForm()
    errors: dict[str, str] = {}
    values = _meeting_values(meeting)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = {k: request.form.get(k, "") for k in YEAR_FIELDS}
        with attempt(None) as act:
            ys.edit_committee_year(db_session(), current_actor(), meeting, _year_input())
            act.done(f"已保存{meeting.committee.name}的{year}年度信息。")
        if act.error is None:
            return redirect(url_for("bureau.year_detail", year=year))
        errors[act.error.field or "specialties"] = act.error.message
    return render_template(
        "bureau/year_meeting.html",
        form=form,
        meeting=meeting,
        year=year,
        values=values,
        errors=errors,
    )


def year_add(year: int) -> str | Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    new = ys.NewCommittee(request.form.get("name", ""), _year_input())
    with attempt(None) as act:
        meeting = ys.add_committee(db_session(), current_actor(), year, new)
        act.done(f"已新增评委会：{meeting.committee.name}（{meeting.code}）。")
    if act.error is None:
        return redirect(url_for("bureau.year_detail", year=year))
    values = {k: request.form.get(k, "") for k in ("name", *YEAR_FIELDS)}
    return _year_page(year, add_error=act.error.message, new_values=values)


def year_retire(year: int, code: str) -> str | Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    meeting = _find_meeting(year, code)
    name = meeting.committee.name
    with attempt(None) as act:
        if request.form.get("confirm") != "yes":
            raise UserError(f"请勾选确认撤销“{name}”", field="confirm")
        ys.retire_committee(db_session(), current_actor(), meeting)
        act.done(f"已撤销{name}：自{year}年度起不再组织例会，专家库和以往记录保留。")
    if act.error is None:
        return redirect(url_for("bureau.year_detail", year=year))
    return _year_page(year, retire_error=act.error.message)


def year_import(year: int) -> str | Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else b""
    text = request.form.get("table", "")
    with attempt(None) as act:
        rows = ys.read_table(text=text, data=data)
        result = ys.import_table(db_session(), current_actor(), year, rows)
        act.done(
            f"已导入例会计划时间表：更新{len(result.updated)}个评委会，新增{len(result.added)}个。"
        )
    if act.error is None:
        return redirect(url_for("bureau.year_detail", year=year))
    lines = act.error.lines() if isinstance(act.error, ys.TableRowErrors) else []
    return _year_page(year, import_error=act.error.message, import_lines=lines, table_text=text)


def register(bp: Blueprint) -> None:
    """Add the 年度管理 routes to the bureau blueprint (all bureau-only)."""
    routes = (
        ("/years", years_index, ["GET", "POST"], "years"),
        ("/years/<int:year>", year_detail, ["GET"], "year_detail"),
        ("/years/<int:year>/committees/<code>", year_meeting, ["GET", "POST"], "year_meeting"),
        ("/years/<int:year>/add", year_add, ["POST"], "year_add"),
        ("/years/<int:year>/retire/<code>", year_retire, ["POST"], "year_retire"),
        ("/years/<int:year>/import", year_import, ["POST"], "year_import"),
    )
    for rule, view, methods, endpoint in routes:
        bp.add_url_rule(rule, endpoint, roles_required("bureau")(view), methods=methods)
