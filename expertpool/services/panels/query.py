"""Reading panels: the current and past panels of a meeting, their stored bytes and seats,
and the audit events for viewing or exporting one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Expert, Meeting, Panel, PanelSeat
from expertpool.services import audit
from solver import registry
from solver.errors import PackageError
from solver.package import parse_package

MAX_REASON_CHARS = 200


def current_panel(session: Session, meeting: Meeting) -> Panel | None:
    """The meeting's latest panel that is not void (drawn, infeasible or sealed)."""
    return session.scalars(
        select(Panel)
        .where(Panel.meeting_id == meeting.id, Panel.status != "void")
        .order_by(Panel.id.desc())
        .limit(1)
    ).first()


def meeting_panels(session: Session, meeting: Meeting) -> list[Panel]:
    """Every panel of the meeting, newest first (void ones included, for the record)."""
    return list(
        session.scalars(
            select(Panel).where(Panel.meeting_id == meeting.id).order_by(Panel.id.desc())
        )
    )


def result_of(panel: Panel) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(panel.result_json)
    return result


def package_of(panel: Panel) -> bytes:
    """The exact bytes the draw read (their SHA-256 is the result's instance_sha256)."""
    return panel.package_json.encode("utf-8")


def result_bytes(panel: Panel) -> bytes:
    return panel.result_json.encode("utf-8")


def diagnosis_notes(panel: Panel) -> list[str]:
    """For an infeasible draw: the rules' sentences explaining its diagnosis further (e.g. the
    sum of the specialty minimums above the seats), read from the package the draw read. Kept
    out of the stored result so that results defined by a seed never change."""
    if result_of(panel).get("status") != "infeasible":
        return []
    try:
        return registry.diagnosis_notes(parse_package(package_of(panel)))
    except PackageError:  # a package the draw could read parses; nothing to add otherwise
        return []


@dataclass(frozen=True)
class Recusal:
    """One member or alternate who recuses for one applicant, and why (from the package the
    draw read: a declared conflict's reason, or the same unit)."""

    applicant: str
    expert: str
    reason: str


def recusals(panel: Panel) -> list[Recusal]:
    """The result's recusals (申报人回避情况), one row per (applicant, expert), with reasons."""
    stored = json.loads(panel.package_json)
    expert_unit = {e.get("id"): e.get("unit") for e in stored.get("experts", [])}
    applicant_unit = {a.get("id"): a.get("unit") for a in stored.get("applicants", [])}
    declared = {
        (c.get("expert"), c.get("applicant")): c.get("reason") or "已申报的回避关系"
        for c in stored.get("conflicts", [])
    }
    rows = []
    for app, codes in sorted(result_of(panel).get("recusals", {}).items()):
        for code in sorted(codes):
            why = [declared[(code, app)]] if (code, app) in declared else []
            if expert_unit.get(code) is not None and expert_unit.get(code) == applicant_unit.get(
                app
            ):
                why.append("同单位")
            rows.append(Recusal(app, code, "、".join(why) or "回避"))
    return rows


def dump_result(result: dict[str, Any]) -> str:
    """The stored text of a result (`Panel.result_json`)."""
    return json.dumps(result, ensure_ascii=False, indent=1) + "\n"


def original_of(result: dict[str, Any]) -> dict[str, Any]:
    """The part of a fresh draw's result that replay compares against, with the seed's two
    parts when it has them (so that a result after declines that lost them fails the
    replay instead of passing without a commitment checked)."""
    first = {
        "status": result["status"],
        "members": list(result["members"]),
        "alternates": list(result["alternates"]),
        "uncovered": list(result["uncovered"]),
    }
    if "seed_parts" in result:
        first["seed_parts"] = result["seed_parts"]
    return first


def find_seat(panel: Panel, code: str, role: str, state: str = "active") -> PanelSeat | None:
    for seat in panel.seats:
        if seat.expert.code == code and seat.role == role and seat.state == state:
            return seat
    return None


def seat_rows(session: Session, panel: Panel) -> list[PanelSeat]:
    """Seats with experts and units loaded, members first (by position), then alternates."""
    return list(
        session.scalars(
            select(PanelSeat)
            .where(PanelSeat.panel_id == panel.id)
            .options(selectinload(PanelSeat.expert).selectinload(Expert.unit))
            .order_by(PanelSeat.role.desc(), PanelSeat.position, PanelSeat.id)
        )
    )


def stamp(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def clean_reason(reason: str, what: str) -> str:
    """A required free-text reason (`what` names it in the message), at most 200 characters."""
    reason = (reason or "").strip()
    if not reason:
        raise UserError(f"请填写{what}", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise UserError(f"{what}不能超过{MAX_REASON_CHARS}个字符", field="reason")
    return reason


def log_view(session: Session, panel: Panel, actor: Actor, what: str = "评委名单") -> None:
    """Every view of a panel is an audit event (who, when, what)."""
    audit.record(
        session,
        actor.username,
        actor.role,
        "panel_view",
        panel.meeting.code,
        {"panel": panel.id, "what": what},
    )


def log_export(session: Session, panel: Panel, actor: Actor, what: str) -> None:
    audit.record(
        session,
        actor.username,
        actor.role,
        "panel_export",
        panel.meeting.code,
        {"panel": panel.id, "what": what},
    )
