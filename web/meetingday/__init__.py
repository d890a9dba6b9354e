"""例会当天: 签到, votes (page or tally sheet), close, exports for the office (own committees
only); a read-only check of the stored record and an upload check for the regulator; reopen
and 备案 for the bureau. Every view and export is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import Meeting
from expertpool.services import audit, meeting_dates
from expertpool.services import meeting_record as mr
from expertpool.services.meeting_record import sheets
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, request_clock, today
from web.downloads import send_json, send_xlsx, with_audit_head
from web.forms import EmptyForm
from web.limits import page_limit
from web.params import to_int

bp = Blueprint("meetingday", __name__, url_prefix="/meetingday")


def _meeting(code: str) -> Meeting:
    meeting = db_session().scalar(select(Meeting).where(Meeting.code == code))
    if meeting is None:
        abort(404)
    if current_user.role == "office" and meeting.committee_id not in current_user.committee_ids:
        abort(404)
    return meeting


def _sealed_from_bureau(meeting: Meeting) -> bool:
    """Before the meeting ends (by the app's clock) only its office and the regulators see its
    panel: the bureau's pages show no names, units or attendance, and its exports are refused."""
    return current_user.role == "bureau" and meeting_dates.is_confidential(
        db_session(), meeting, today()
    )


def _require_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _back(meeting: Meeting, anchor: str = "") -> Response:
    return redirect(url_for("meetingday.day", code=meeting.code) + anchor)


def _version() -> int | None:
    return to_int(request.form.get("version", ""))


def _page(meeting: Meeting, errors: list[str] | None = None) -> str:
    session = db_session()
    hidden = _sealed_from_bureau(meeting)
    day = None if hidden else mr.day_of(session, meeting)
    ctx: dict[str, Any] = {
        "meeting": meeting,
        "day": day,
        "hidden": hidden,
        "today": today(),
        "confidential_until": meeting_dates.confidential_until(session, meeting),
        "form": EmptyForm(),
        "reasons": mr.ABSENCE_REASONS,
        "filing": mr.filing(session, meeting, today()),
        "rules": mr.meeting_rules(session, meeting),
        "sources": mr.SOURCES,
        "rule_rows": mr.rule_rows(session, meeting),
        "mode": mr.review_mode(session, meeting.committee),
        "errors": errors or [],
        "role": current_user.role,
    }
    if day is not None:
        ctx |= {
            "seats": mr.seated(session, day),
            "marks": mr.attendance_by_code(day),
            "tallies": {t.applicant.code: t for t in day.tallies},
            "quorum": mr.quorum(session, day),
            "present": len(mr.present_codes(day)),
            "voters": {a.code: mr.voters(day, a) for a in meeting.applicants},
            "stats": mr.stats(session, day),
            "pending": mr.inconsistent(day),
            "report": mr.check_stored(session, day) if day.state == "closed" else None,
        }
    mr.log(session, meeting, current_actor(), "例会记录页")
    session.commit()
    return render_template("meetingday/day.html", **ctx)


@bp.route("/<code>")
@roles_required("office", "regulator", "bureau")
def day(code: str) -> str:
    return _page(_meeting(code))


@bp.route("/<code>/open", methods=["POST"])
@roles_required("office")
def open_record(code: str) -> Response:
    meeting = _meeting(code)
    _require_form()
    with attempt("未能开始登记：") as act:
        mr.open_day(db_session(), meeting, request_clock())
        act.done("已开始登记例会记录。")
    return _back(meeting)


@bp.route("/<code>/rules", methods=["POST"])
@roles_required("office")
def rules(code: str) -> str | Response:
    meeting = _meeting(code)
    _require_form()
    with attempt(None) as act:
        mr.save_rules(db_session(), meeting, request.form, current_actor())
        act.done("已保存表决规则。")
    if act.error is not None:
        return _page(meeting, [act.error.message])
    return _back(meeting, "#rules")


@bp.route("/<code>/attendance", methods=["POST"])
@roles_required("office")
def attendance(code: str) -> str | Response:
    meeting = _meeting(code)
    _require_form()
    session = db_session()
    with attempt(None) as act:
        marks = {}
        for seat in mr.seated(session, mr.open_day(session, meeting, request_clock())):
            c = seat.expert.code
            state = request.form.get(f"att_{c}", "")
            if state in ("present", "absent"):
                marks[c] = mr.Mark(
                    state == "present",
                    request.form.get(f"reason_{c}", ""),
                    request.form.get(f"note_{c}", ""),
                )
        mr.save_attendance(
            session,
            meeting,
            marks,
            current_actor(),
            today(),
            version=_version(),
            correction=request.form.get("correction", ""),
            clock=request_clock(),
        )
        act.done(*_attendance_message(session, meeting))
    if act.error is not None:
        return _page(meeting, [act.error.message])
    return _back(meeting, "#attendance")


def _attendance_message(session: Any, meeting: Meeting) -> tuple[str, str]:
    """已保存签到, with a warning when saved tallies no longer match the voters."""
    day = mr.day_of(session, meeting)
    pending = mr.inconsistent(day) if day is not None else []
    if not pending:
        return "已保存签到。", "success"
    names = "、".join(t.applicant.name for t in pending)
    return (
        f"已保存签到。出席变化后，{len(pending)}名申报人的已登记票数与表决评委人数不符，"
        f"已标记为“待更正”（不计入通过率）：{names}。请更正这些票数后再结束记录。",
        "warning",
    )


def _counts_from_form(meeting: Meeting) -> dict[str, mr.Counts]:
    rows = {}
    for app in meeting.applicants:
        texts = [request.form.get(f"{k}_{app.code}", "").strip() for k in ("yes", "no", "abstain")]
        if not any(texts):
            continue
        if not all(t.isdigit() for t in texts):
            raise UserError(
                f"申报人{app.name}：同意、反对、弃权票数应为不小于0的整数", field=app.code
            )
        rows[app.code] = mr.Counts(*(int(t) for t in texts))
    return rows


@bp.route("/<code>/votes", methods=["POST"])
@roles_required("office")
def votes(code: str) -> str | Response:
    meeting = _meeting(code)
    _require_form()
    with attempt(None) as act:
        mr.save_votes(
            db_session(),
            meeting,
            _counts_from_form(meeting),
            current_actor(),
            version=_version(),
            correction=request.form.get("correction", ""),
            clock=request_clock(),
        )
        act.done("已保存表决结果。")
    if act.error is not None:
        return _page(meeting, [act.error.message])
    return _back(meeting, "#votes")


@bp.route("/<code>/tally-template.xlsx")
@roles_required("office")
def tally_template(code: str) -> Response:
    meeting = _meeting(code)
    session = db_session()
    mr.log(session, meeting, current_actor(), "表决票数模板")
    session.commit()
    return send_xlsx(sheets.tally_template(session, meeting), f"表决票数-{meeting.code}.xlsx")


@bp.route("/<code>/tally", methods=["POST"])
@roles_required("office")
def tally_upload(code: str) -> str | Response:
    meeting = _meeting(code)
    _require_form()
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    with attempt(None) as act:
        if not data:
            raise UserError("请选择表决票数表格文件", field="file")
        rows, labels = sheets.read_tally(data)
        mr.save_votes(
            db_session(),
            meeting,
            rows,
            current_actor(),
            version=_version(),
            correction=request.form.get("correction", ""),
            labels=labels,
            clock=request_clock(),
        )
        act.done(f"已从表格导入{len(rows)}名申报人的表决结果。")
    if act.error is not None:
        return _page(meeting, [act.error.message])
    return _back(meeting, "#votes")


@bp.route("/<code>/close", methods=["POST"])
@roles_required("office")
def close(code: str) -> str | Response:
    meeting = _meeting(code)
    _require_form()
    with attempt(None) as act:
        text = request.form.get("ended_on", "").strip()
        try:
            ended = date.fromisoformat(text)
        except ValueError:
            raise UserError("例会结束日期格式不正确（应为年-月-日）", field="ended_on") from None
        mr.close(
            db_session(),
            meeting,
            current_actor(),
            ended_on=ended,
            explanation=request.form.get("explanation", ""),
            version=_version(),
            clock=request_clock(),
        )
        act.done("例会记录已结束并锁定。")
    if act.error is not None:
        return _page(meeting, [act.error.message])
    return _back(meeting)


@bp.route("/<code>/reopen", methods=["POST"])
@roles_required("bureau")
def reopen(code: str) -> Response:
    meeting = _meeting(code)
    _require_form()
    with attempt("未能重新打开：") as act:
        mr.reopen(db_session(), meeting, current_actor(), request.form.get("reason", ""))
        act.done("已重新打开例会记录，办事机构可以更正。")
    return _back(meeting)


@bp.route("/<code>/filed", methods=["POST"])
@roles_required("bureau")
def filed(code: str) -> Response:
    meeting = _meeting(code)
    _require_form()
    with attempt("未能登记备案：") as act:
        mr.mark_filed(db_session(), meeting, current_actor(), today(), clock=request_clock())
        act.done("已登记备案。")
    return _back(meeting)


class _Sealed(Exception):
    """The bureau asked for a record export while the panel is still confidential."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _closed_day(meeting: Meeting) -> Any:
    day = mr.day_of(db_session(), meeting)
    if day is None or (current_user.role != "office" and day.state != "closed"):
        abort(404)
    if _sealed_from_bureau(meeting):
        raise _Sealed(meeting.code)
    return day


@bp.errorhandler(_Sealed)
def _sealed(exc: _Sealed) -> Response:
    flash("例会结束前评委名单保密，市人社局在例会结束后才能查看和导出例会记录。", "error")
    return redirect(url_for("meetingday.day", code=exc.code))


@bp.route("/<code>/record.json")
@roles_required("office", "regulator", "bureau")
def record_json(code: str) -> Response:
    meeting = _meeting(code)
    session = db_session()
    day = _closed_day(meeting)
    data = mr.record_bytes(session, day)
    mr.log(session, meeting, current_actor(), "例会记录JSON")
    head = audit.current_head(session)
    session.commit()
    return with_audit_head(send_json(data, f"{meeting.code}-例会记录.json"), head)


@bp.route("/<code>/results.xlsx")
@roles_required("office", "regulator", "bureau")
def results_xlsx(code: str) -> Response:
    meeting = _meeting(code)
    session = db_session()
    day = _closed_day(meeting)
    mr.log(session, meeting, current_actor(), "评审结果汇总表")
    data = sheets.results_xlsx(session, day, head=audit.current_head(session))
    session.commit()
    return send_xlsx(data, f"评审结果汇总表-{meeting.code}.xlsx")


@bp.route("/<code>/summary")
@roles_required("office", "regulator", "bureau")
def summary(code: str) -> str:
    meeting = _meeting(code)
    session = db_session()
    day = _closed_day(meeting)
    st = mr.stats(session, day)
    mr.log(session, meeting, current_actor(), "评审工作书面总结")
    head = audit.current_head(session)
    session.commit()
    return render_template(
        "meetingday/summary.html",
        audit_head=head,
        meeting=meeting,
        day=day,
        stats=st,
        present=len(mr.present_codes(day)),
        seated=len(mr.seated(session, day)),
        filing=mr.filing(session, meeting, today()),
    )


def _upload(name: str, label: str) -> bytes:
    limit = page_limit()  # the request's is already in place (web/limits.py)
    f = request.files.get(name)
    data = f.read(limit.file_bytes + 1) if f else b""
    if not data:
        raise UserError(f"请选择{label}", field=name)
    if len(data) > limit.file_bytes:
        raise UserError(f"{label}超过{limit.text}的限制", field=name)
    return data


@bp.route("/verify", methods=["GET", "POST"])
@roles_required("regulator")
def verify_upload() -> str:
    report = None
    error = ""
    if request.method == "POST":
        _require_form()
        try:
            report = mr.check_files(
                _upload("package", "抽取数据包文件"),
                _upload("panel", "抽取结果文件"),
                _upload("record", "例会记录文件"),
            )
        except UserError as exc:
            error = f"无法核验：{exc.message}"
        finally:
            for upload in request.files.values():  # files over 500 KB are spooled to disk
                upload.close()
        session = db_session()
        actor = current_actor()
        audit.record(
            session, actor.username, actor.role, "meeting_view", "", {"what": "上传核验例会记录"}
        )
        session.commit()
    return send_page(report, error)


def send_page(report: Any, error: str) -> str:
    return render_template(
        "meetingday/verify.html", form=EmptyForm(), report=report, error=error, limit=page_limit()
    )
