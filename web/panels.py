"""What the office and regulator panel pages share: the panel's data ready for a template,
the names the panel templates use, and the JSON downloads of a panel's package and result.

Neither blueprint imports the other; both import this module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from expertpool.actor import Actor
from expertpool.models import Applicant, DrawSession, Expert, Panel, PanelCertificate, PanelSeat
from expertpool.models.enums import PANEL_STATUSES, SEAT_STATES
from expertpool.services import audit, draw_sessions, jobs, meeting_dates, rule_sources
from expertpool.services import meeting_settings as settings_svc
from expertpool.services import panels as svc
from expertpool.services.panels import certificates as certs
from web.context import db_session, today
from web.downloads import send_json, with_audit_head
from web.formatting import bj_datetime
from web.forms import EmptyForm
from web.jobs import panel_context

JsonFile = Literal["package", "result"]

HOW = {"alternate": "备选递补", "redraw": "重新抽取补足"}


@dataclass
class PanelView:
    panel: Panel
    result: dict[str, Any]
    members: list[PanelSeat]
    alternates: list[PanelSeat]
    inactive: list[PanelSeat]
    recusals: list[tuple[Applicant | None, str, list[Expert]]]
    replacements: list[dict[str, Any]]
    report: Any
    experts: dict[str, Expert] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)  # since the draw; see changes_since_draw
    rule_notes: list[str] = field(default_factory=list)  # rules off their defaults
    diagnosis_notes: list[str] = field(default_factory=list)  # beside an infeasible diagnosis
    # (applicant, expert, reason) one per recusing expert, and (declined, by, how, when,
    # reason) one per decline: the print and xlsx exports list both.
    recusal_rows: list[tuple[str, str, str]] = field(default_factory=list)
    decline_rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (label, value) of the two-party seed's evidence, for the print and xlsx exports.
    seed_rows: list[tuple[str, str]] = field(default_factory=list)
    when: meeting_dates.MeetingWhen | None = None  # the meeting's dates relative to today
    confidential_until: date | None = None
    # 抽取证明: the stored certificate of each step (a season panel has none: it is replayed)
    certificates: list[PanelCertificate] = field(default_factory=list)
    certificate_sha256: str = ""  # of the file the downloads give (every step together)
    season_panel: bool = False


def panel_view(session: Session, panel: Panel) -> PanelView:
    result = svc.result_of(panel)
    seats = svc.seat_rows(session, panel)
    members = [s for s in seats if s.role == "member" and s.state == "active"]
    members.sort(key=lambda s: s.expert.code)
    alternates = [s for s in seats if s.role == "alternate" and s.state == "active"]
    alternates.sort(key=lambda s: s.position)
    no_shows = [s for s in seats if s.role == "member" and s.state == "no_show"]
    members = sorted([*members, *no_shows], key=lambda s: s.expert.code)
    inactive = [s for s in seats if s.state in ("declined", "used")]
    codes = set(result.get("members", [])) | set(result.get("alternates", []))
    for rep in result.get("replacements", []):
        codes |= {rep.get("declined"), rep.get("by")}
    recusal_codes = {c for v in result.get("recusals", {}).values() for c in v}
    experts = {
        e.code: e
        for e in session.scalars(select(Expert).where(Expert.code.in_(codes | recusal_codes)))
    }
    applicants = {
        a.code: a
        for a in session.scalars(
            select(Applicant).where(
                Applicant.meeting_id == panel.meeting_id,
                Applicant.code.in_(list(result.get("recusals", {}))),
            )
        )
    }
    recusals = [
        (applicants.get(code), code, [experts[c] for c in sorted(cs) if c in experts])
        for code, cs in sorted(result.get("recusals", {}).items())
    ]
    report = svc.verification_report(panel, session) if result.get("status") == "drawn" else None
    return PanelView(
        panel=panel,
        result=result,
        members=members,
        alternates=alternates,
        inactive=inactive,
        recusals=recusals,
        replacements=list(result.get("replacements", [])),
        report=report,
        experts=experts,
        changes=(
            svc.changes_since_draw(session, panel, members_only=True)
            if panel.status == "drawn"
            else []
        ),
        rule_notes=settings_svc.rule_notes(panel),
        diagnosis_notes=svc.diagnosis_notes(panel),
        recusal_rows=_recusal_rows(panel, experts, applicants),
        decline_rows=_decline_rows(result, experts, inactive),
        seed_rows=seed_rows(result),
        when=meeting_dates.when(session, panel.meeting, today()),
        confidential_until=meeting_dates.confidential_until(session, panel.meeting),
        season_panel=certs.is_season(panel),
        **_certificates(session, panel),
    )


def _certificates(session: Session, panel: Panel) -> dict[str, Any]:
    rows = certs.stored(session, panel)
    sha = hashlib.sha256(certs.file_bytes(rows)).hexdigest() if rows else ""
    return {"certificates": rows, "certificate_sha256": sha}


def seed_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """The seed's two parts as the panel page shows them (承诺值, 第一部分, 第二部分): the
    same words in every export, after any number of declines."""
    parts = result.get("seed_parts")
    if not isinstance(parts, dict):
        return []
    rows = [
        ("承诺值（抽取前公示）", str(parts.get("commitment", ""))),
        ("第一部分（系统生成，抽取后公开）", str(parts.get("office", ""))),
    ]
    if parts.get("waiver"):
        rows.append(("第二部分", f"已关闭，理由：{parts['waiver']}"))
    else:
        note = f"，{parts['second_note']}" if parts.get("second_note") else ""
        rows.append(
            (f"第二部分（{parts.get('second_by', '')}{note}）", str(parts.get("second", "")))
        )
    return rows


def _named(code: str | None, names: dict[str, Any]) -> str:
    if not code:
        return "无"
    who = names.get(code)
    return f"{code} {who.name}" if who is not None else code


def _recusal_rows(
    panel: Panel, experts: dict[str, Expert], applicants: dict[str, Applicant]
) -> list[tuple[str, str, str]]:
    return [
        (_named(r.applicant, applicants), _named(r.expert, experts), r.reason)
        for r in svc.recusals(panel)
    ]


def _decline_rows(
    result: dict[str, Any], experts: dict[str, Expert], inactive: list[PanelSeat]
) -> list[tuple[str, str, str, str, str]]:
    seats = {s.expert.code: s for s in inactive if s.role == "member"}
    rows = []
    for rep in result.get("replacements", []):
        seat = seats.get(rep.get("declined", ""))
        rows.append(
            (
                _named(rep.get("declined"), experts),
                _named(rep.get("by"), experts) if rep.get("by") else "无可递补的备选专家",
                HOW.get(rep.get("how", ""), rep.get("how", "")),
                bj_datetime(seat.changed_at) if seat is not None else "",
                seat.reason if seat is not None and seat.reason else "",
            )
        )
    return rows


def template_globals() -> dict[str, Any]:
    return {
        "step_name": certs.step_name,
        "season_note": certs.SEASON_NOTE,
        "seat_states": SEAT_STATES,
        "panel_statuses": PANEL_STATUSES,
        "how_names": HOW,
        "rule_sources": rule_sources.RULE_SOURCES,
    }


def json_download(p: Panel, which: JsonFile) -> Response:
    """The draw package or the result file, exactly as stored (draw-format.md)."""
    data = svc.package_of(p) if which == "package" else svc.result_bytes(p)
    name = f"{p.meeting.code}-{'抽取包' if which == 'package' else '抽取结果'}-{p.id}.json"
    fallback = f"{p.meeting.code}-{'package' if which == 'package' else 'panel'}-{p.id}.json"
    return send_json(data, name, fallback)


def logged_json_download(p: Panel, which: JsonFile, actor: Actor) -> Response:
    """`json_download`, after the export is on the audit trail."""
    session = db_session()
    svc.log_export(session, p, actor, what="抽取数据包" if which == "package" else "抽取结果")
    head = audit.current_head(session)
    session.commit()
    return with_audit_head(json_download(p, which), head)


def draw_session_page(template: str, ds: DrawSession, **extra: Any) -> str:
    """A two-party draw's page (office, bureau or supervisor): every caller's template
    includes _draw_session.html, which needs the same words for kinds, states and sources;
    a season run's page also shows its background job (_job_progress.html)."""
    session = db_session()
    job = jobs.latest_for_session(session, ds.id) if ds.kind == "season" else None
    extra = {**panel_context(session, job), **extra}
    if ds.state == "drawing" and extra["job"] is not None and extra["job"].state == "failed":
        extra.setdefault("state_label", "已输入第二部分，后台抽取失败，未保存结果")
    return render_template(
        template,
        ds=ds,
        revealed=draw_sessions.revealed_part(ds),
        kinds=draw_sessions.KINDS,
        states=draw_sessions.STATES,
        sources=draw_sessions.SOURCES,
        form=EmptyForm(),
        **extra,
    )


def logged_certificate_download(p: Panel, actor: Actor) -> Response:
    """The panel's certificate file (expertpool.certificate/1: one object, or the array of
    every step), after the export is on the audit trail; 404 when it has none."""
    session = db_session()
    rows = certs.stored(session, p)
    if not rows:
        abort(404)
    svc.log_export(session, p, actor, what="抽取证明")
    session.commit()
    name = f"{p.meeting.code}-抽取证明-{p.id}.json"
    return send_json(certs.file_bytes(rows), name, f"{p.meeting.code}-certificate-{p.id}.json")
