"""监管: read-only, except for the supervisor's part of a draw's seed.

Views of a panel are audit events, appended by `expertpool.services.panels.log_view` /
`log_export`. Two POSTs: the offline verification upload, which stores nothing, and the
supervisor's second seed part of a pending draw (监督人, draw_sessions), which runs the
draw on H(part a, part b) — the notice's 五(一): the bureau supervises 参会评委确定.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from expertpool.errors import UserError
from expertpool.models import AuditEvent, DrawSession, Meeting, Panel
from expertpool.services import audit, draw_sessions, timeline, verification
from expertpool.services import panels as svc
from expertpool.services import season as season_svc
from expertpool.services.panels import certificates as certs
from web.access import current_actor, roles_required
from web.actions import attempt
from web.context import db_session, request_clock, working_year
from web.extensions import csrf, csrf_exempt
from web.forms import EmptyForm
from web.limits import page_limit
from web.panels import (
    draw_session_page,
    logged_certificate_download,
    logged_json_download,
    panel_view,
    template_globals,
)
from web.params import to_int
from web.security import checks_control_characters_itself

bp = Blueprint("regulator", __name__, url_prefix="/regulator")

AUDIT_PER_PAGE = 50


@bp.context_processor
def _globals() -> dict[str, Any]:
    return template_globals()


def _panel(panel_id: int) -> Panel:
    panel = db_session().get(Panel, panel_id)
    if panel is None:
        abort(404)
    return panel


@bp.route("/")
@roles_required("regulator")
def index() -> str:
    session = db_session()
    year = to_int(request.args.get("year", ""), 2000, 2100) or working_year()
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.year == year)
            .options(selectinload(Meeting.committee), selectinload(Meeting.applicants))
            .order_by(Meeting.window_start, Meeting.code)
        )
    )
    counts = dict(
        session.execute(select(Panel.meeting_id, func.count()).group_by(Panel.meeting_id)).all()
    )
    rows = [(m, svc.current_panel(session, m), counts.get(m.id, 0)) for m in meetings]
    return render_template("regulator/index.html", rows=rows, year=year)


@bp.route("/meetings/<code>")
@roles_required("regulator")
def meeting(code: str) -> str:
    session = db_session()
    m = session.scalar(select(Meeting).where(Meeting.code == code))
    if m is None:
        abort(404)
    return render_template(
        "regulator/meeting.html",
        meeting=m,
        panels=svc.meeting_panels(session, m),
        timeline=timeline.meeting_timeline(session, m),
    )


@bp.route("/draws")
@roles_required("regulator")
def draws() -> str:
    session = db_session()
    return render_template(
        "regulator/draws.html",
        pending=draw_sessions.all_pending(session),
        kinds=draw_sessions.KINDS,
        states=draw_sessions.STATES,
    )


def _draw_session_page(ds: DrawSession) -> str:
    return draw_session_page("regulator/draw_session.html", ds)


@bp.route("/draws/<int:session_id>")
@roles_required("regulator")
def draw_session(session_id: int) -> str:
    ds = draw_sessions.get(db_session(), session_id)
    if ds is None:
        abort(404)
    return _draw_session_page(ds)


@bp.route("/draws/<int:session_id>/second", methods=["POST"])
@checks_control_characters_itself  # the service gives part b's one message
@roles_required("regulator")
def second_part(session_id: int) -> Response:
    """The supervisor's part b: the draw runs at once on H(part a, part b)."""
    session = db_session()
    ds = draw_sessions.get(session, session_id)
    if ds is None:
        abort(404)
    with attempt("未能抽取：") as act:
        draw_sessions.enter_second_part(
            session,
            ds,
            request.form.get("part_b", ""),
            current_actor(),
            source=request.form.get("source", "supervisor"),
            public_name=request.form.get("public_name", ""),
            public_date=request.form.get("public_date", ""),
            clock=request_clock(),
        )
        if ds.state == "drawing":  # a season run: drawn by the background worker
            act.done("已输入第二部分，联合抽取已在后台开始；抽取完成后公开第一部分。")
        else:
            act.done("已输入第二部分并完成抽取，第一部分已公开。")
    return redirect(url_for("regulator.draw_session", session_id=session_id))


@bp.route("/season/")
@roles_required("regulator")
def season() -> str:
    """Read-only: the year's season runs, their seed parts, which was stored, and why."""
    session = db_session()
    year = to_int(request.args.get("year", ""), 2000, 2100) or working_year()
    return render_template(
        "regulator/season.html",
        year=year,
        runs=season_svc.list_runs(session, year, limit=100),
        timeline=timeline.season_timeline(session, year),
        waiver=draw_sessions.waiver_of(session, year),
    )


@bp.route("/panels/<int:panel_id>")
@roles_required("regulator")
def panel(panel_id: int) -> str:
    p = _panel(panel_id)
    session = db_session()
    view = panel_view(session, p)
    outcome = svc.replay(session, p, season_loader=lambda sha: season_svc.load_season(session, sha))
    proof = certs.proof(session, p)
    svc.log_view(session, p, current_actor(), what="核验报告")
    session.commit()
    return render_template(
        "regulator/panel.html", view=view, meeting=p.meeting, outcome=outcome, proof=proof
    )


@bp.route("/panels/<int:panel_id>/replay")
@roles_required("regulator")
def replay(panel_id: int) -> str:
    p = _panel(panel_id)
    session = db_session()
    outcome = svc.replay(session, p, season_loader=lambda sha: season_svc.load_season(session, sha))
    svc.log_view(session, p, current_actor(), what=f"重放：{'一致' if outcome.same else '不一致'}")
    session.commit()
    return render_template("regulator/replay.html", panel=p, meeting=p.meeting, outcome=outcome)


@bp.route("/panels/<int:panel_id>/package.json")
@roles_required("regulator")
def package_json(panel_id: int) -> Response:
    return logged_json_download(_panel(panel_id), "package", current_actor())


@bp.route("/panels/<int:panel_id>/result.json")
@roles_required("regulator")
def result_json(panel_id: int) -> Response:
    return logged_json_download(_panel(panel_id), "result", current_actor())


@bp.route("/panels/<int:panel_id>/certificate.json")
@roles_required("regulator")
def certificate_json(panel_id: int) -> Response:
    return logged_certificate_download(_panel(panel_id), current_actor())


@bp.route("/audit")
@roles_required("regulator")
def audit_log() -> str:
    """The trail, newest first, as sentences; filter by account, meeting (target), action."""
    session = db_session()
    head_text = request.args.get("head", "").strip()[:100]
    chain, head_problem = audit.check(session, head_text)
    who = request.args.get("who", "").strip()[:60]
    target = request.args.get("target", "").strip()[:120]
    action = request.args.get("action", "").strip()[:40]
    stmt = select(AuditEvent)
    if who:
        stmt = stmt.where(AuditEvent.username == who)
    if target:
        stmt = stmt.where(AuditEvent.target == target)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // AUDIT_PER_PAGE))
    page = min(to_int(request.args.get("page", "1")) or 1, pages)
    events = list(
        session.scalars(
            stmt.order_by(AuditEvent.id.desc())
            .offset((page - 1) * AUDIT_PER_PAGE)
            .limit(AUDIT_PER_PAGE)
        )
    )
    return render_template(
        "regulator/audit.html",
        chain=chain,
        head_text=head_text,
        head_problem=head_problem,
        events=events,
        page=page,
        pages=pages,
        total=total,
        actions=audit.ACTIONS,
        sentence=timeline.sentence,
        filters={"who": who, "target": target, "action": action},
        filtered=bool(who or target or action),
        dumps=lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True),
    )


@dataclass(frozen=True)
class Checked:
    """One uploaded file as checked: what it was, its name and SHA-256."""

    label: str
    name: str
    sha256: str
    size: int


def _read_upload(name: str, label: str, checked: list[Checked]) -> bytes:
    limit = page_limit()
    upload = request.files.get(name)
    data = upload.read(limit.file_bytes + 1) if upload else b""
    if not data:
        raise UserError(f"请选择{label}")
    if len(data) > limit.file_bytes:
        raise UserError(f"{label}超过{limit.text}的限制")
    filename = (upload.filename if upload else "") or "（未命名）"
    checked.append(Checked(label, filename, hashlib.sha256(data).hexdigest(), len(data)))
    return data


def _read_optional(name: str, label: str, checked: list[Checked]) -> bytes | None:
    """An optional upload: None when no file was chosen."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None
    return _read_upload(name, label, checked)


@bp.route("/verify", methods=["GET", "POST"])
@csrf_exempt  # checked below, so that a too-large upload gets its message on this page
@checks_control_characters_itself  # only files and the token
@roles_required("regulator")
def verify_upload() -> str:
    report: verification.Report | None = None
    verdict: verification.ReplayVerdict | None = None
    proof: verification.CertificateVerdict | None = None
    checked: list[Checked] = []
    error = ""
    if request.method == "POST":
        try:  # the page's limit (web/limits.py) is already in place
            csrf.protect()
            package = _read_upload("package", "抽取数据包文件", checked)
            result = _read_upload("result", "抽取结果文件", checked)
            certificate = _read_optional("certificate", "抽取证明文件", checked)
            report = verification.verify_files(package, result)
            verdict = verification.replay_files(package, result)
            if certificate is not None:
                proof = verification.certificate_files(package, result, certificate)
        except RequestEntityTooLarge:
            error = f"上传的文件过大：每个文件不能超过{page_limit().text}"
        except UserError as exc:  # verification.UnverifiableError too
            error = f"无法核验：{exc.message}"
        finally:
            for upload in request.files.values():  # spooled to temporary files
                upload.close()
    return render_template(
        "regulator/verify.html",
        form=EmptyForm(),
        limit=page_limit(),
        report=report,
        verdict=verdict,
        proof=proof,
        checked=checked,
        error=error,
    )
