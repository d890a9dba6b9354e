"""Panels (参会评委): draw, decline, seal, no-shows, replay and verification of one meeting.

A panel row keeps the exact package bytes the draw read (`package_json`), the seed, and the
current `expertpool.panel/1` result (`result_json`). The first result of the draw is kept
inside the result under the extra key ``original`` (the contract allows extra fields), so a
replay compares against what was drawn, not what declines made of it.

Nothing changes a sealed panel: every mutating function here refuses it with one message.
Recording a no-show after the meeting is the one exception — it records attendance, not the
composition of the panel.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from expertpool.errors import UserError
from expertpool.models import Expert, Meeting, Panel, PanelSeat, ServiceRecord, utcnow
from expertpool.services import audit
from expertpool.services.packages import (
    build_package,
    package_bytes,
    seated_on_overlapping,
)
from solver.engine import draw, replace
from solver.errors import PackageError
from solver.verify import Item, Report, verify_panel

SEALED_MESSAGE = "评委名单已锁定，不能再作任何修改"
MAX_REASON_CHARS = 200
DECLINE_HOW = {"alternate": "由备选专家递补", "redraw": "重新抽取补足"}


# ---------------------------------------------------------------------------
# Reading panels
# ---------------------------------------------------------------------------


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


def get_panel(session: Session, panel_id: int) -> Panel:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise UserError("评委名单不存在", field="panel")
    return panel


def result_of(panel: Panel) -> dict[str, Any]:
    return json.loads(panel.result_json)


def package_of(panel: Panel) -> bytes:
    """The exact bytes the draw read (their SHA-256 is the result's instance_sha256)."""
    return panel.package_json.encode("utf-8")


def result_bytes(panel: Panel) -> bytes:
    return panel.result_json.encode("utf-8")


def _dump(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1) + "\n"


def log_view(
    session: Session, panel: Panel, username: str, role: str, what: str = "评委名单"
) -> None:
    """Every view of a panel is an audit event (who, when, what)."""
    audit.record(
        session,
        username,
        role,
        "panel_view",
        panel.meeting.code,
        {"panel": panel.id, "what": what},
    )


def log_export(session: Session, panel: Panel, username: str, role: str, what: str) -> None:
    audit.record(
        session,
        username,
        role,
        "panel_export",
        panel.meeting.code,
        {"panel": panel.id, "what": what},
    )


def _refuse_sealed(panel: Panel | None) -> None:
    if panel is not None and panel.status == "sealed":
        raise UserError(SEALED_MESSAGE, field="panel")


def refuse_if_sealed(session: Session, meeting: Meeting) -> None:
    """Applicants, conflicts and rules of a meeting whose panel is sealed no longer change."""
    _refuse_sealed(current_panel(session, meeting))


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


def _add_seats(session: Session, panel: Panel, result: dict[str, Any]) -> None:
    codes = [*result.get("members", []), *result.get("alternates", [])]
    ids = {
        code: eid
        for code, eid in session.execute(
            select(Expert.code, Expert.id).where(Expert.code.in_(codes))
        )
    }
    for pos, code in enumerate(sorted(result.get("members", []))):
        panel.seats.append(PanelSeat(expert_id=ids[code], role="member", position=pos))
    for pos, code in enumerate(result.get("alternates", [])):
        panel.seats.append(PanelSeat(expert_id=ids[code], role="alternate", position=pos))


def _original(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": result["status"],
        "members": list(result["members"]),
        "alternates": list(result["alternates"]),
        "uncovered": list(result["uncovered"]),
    }


def _store_draw(
    session: Session,
    meeting: Meeting,
    data: bytes,
    result: dict[str, Any],
    username: str,
    role: str,
    *,
    how: str,
    reason: str = "",
) -> Panel:
    previous = current_panel(session, meeting)
    _refuse_sealed(previous)
    reason = redraw_reason(previous, reason)
    if previous is not None:
        previous.status = "void"
    result = dict(result)
    result["original"] = _original(result)
    panel = Panel(
        meeting_id=meeting.id,
        status="drawn" if result["status"] == "drawn" else "infeasible",
        seed=str(result["seed"]),
        instance_sha256=hashlib.sha256(data).hexdigest(),
        package_json=data.decode("utf-8"),
        result_json=_dump(result),
        drawn_by=username,
        drawn_at=utcnow(),
        redraw_reason=reason if previous is not None else "",
    )
    panel.meeting = meeting
    session.add(panel)
    _add_seats(session, panel, result)
    session.flush()
    audit.record(
        session,
        username,
        role,
        "draw" if how == "single" else "season_draw",
        meeting.code,
        {
            "panel": panel.id,
            "seed": panel.seed,
            "instance_sha256": panel.instance_sha256,
            "status": result["status"],
            "how": how,
            "voided": previous.id if previous is not None else None,
            "reason": reason if previous is not None else "",
        },
    )
    return panel


def redraw_reason(previous: Panel | None, reason: str) -> str:
    """Setting aside a compliant unsealed draw must say why, or redrawing could be used to
    fish for a preferred panel; the reason goes on the new panel and the audit trail."""
    if previous is not None and previous.status == "drawn":
        return _clean_reason(reason, "重新抽取的原因")
    return (reason or "").strip()[:MAX_REASON_CHARS]


def draw_meeting(
    session: Session,
    meeting: Meeting,
    username: str,
    role: str,
    workers: int = 1,
    reason: str = "",
) -> Panel:
    """Draw the meeting's panel with a fresh `secrets` seed; an unsealed earlier draw is voided,
    and when that one was compliant, `reason` must say why it is drawn again."""
    refuse_if_sealed(session, meeting)
    reason = redraw_reason(current_panel(session, meeting), reason)
    data = package_bytes(build_package(session, meeting, exclude_busy=True))
    seed = secrets.token_hex(8)
    try:
        result = draw(data, seed, workers)
    except PackageError as exc:
        raise UserError(f"抽取数据有误：{exc.message}", field="package") from exc
    return _store_draw(session, meeting, data, result, username, role, how="single", reason=reason)


# ---------------------------------------------------------------------------
# Declines, seal, no-shows
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """How the stored data moved since a panel's package was built."""

    rules: bool
    applicants_added: int
    applicants_removed: int
    conflicts_added: frozenset[tuple[str, str]]
    conflicts_removed: frozenset[tuple[str, str]]
    unavailable: frozenset[str]  # in the package, no longer drawable (status or pool)

    def conflicted(self) -> set[str]:
        return {e for e, _ in self.conflicts_added | self.conflicts_removed}


def drift_since_draw(session: Session, panel: Panel) -> Drift:
    stored = json.loads(panel.package_json)
    fresh = build_package(session, panel.meeting)

    def applicants(pkg: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {(a["id"], a["unit"], a["specialty"]) for a in pkg.get("applicants", [])}

    def conflicts(pkg: dict[str, Any]) -> set[tuple[str, str]]:
        return {(c["expert"], c["applicant"]) for c in pkg.get("conflicts", [])}

    old_a, new_a = applicants(stored), applicants(fresh)
    old_c, new_c = conflicts(stored), conflicts(fresh)
    available = {e["id"] for e in fresh["experts"] if e["available"]}
    return Drift(
        rules=stored.get("rules") != fresh["rules"],
        applicants_added=len(new_a - old_a),
        applicants_removed=len(old_a - new_a),
        conflicts_added=frozenset(new_c - old_c),
        conflicts_removed=frozenset(old_c - new_c),
        unavailable=frozenset(
            e["id"] for e in stored.get("experts", []) if e.get("available", True)
        )
        - available,
    )


def changes_since_draw(
    session: Session,
    panel: Panel,
    *,
    members_only: bool = False,
    ignore: str = "",
    drift: Drift | None = None,
) -> list[str]:
    """What changed since the draw that the panel's compliance depends on: rules, applicants,
    declared conflicts of seated experts, and seated experts no longer drawable. Sealing needs
    only the members (`members_only`); a decline does not depend on the member who declines
    (`ignore`), and checks the alternate or expert it actually seats afterwards."""
    drift = drift or drift_since_draw(session, panel)
    seats = [
        s
        for s in panel.seats
        if s.state == "active"
        and (s.role == "member" or not members_only)
        and s.expert.code != ignore
    ]
    seated = {s.expert.code for s in seats}
    out = []
    if drift.rules:
        out.append("抽取规则（评委人数、比例等）已修改")
    if drift.applicants_added or drift.applicants_removed:
        out.append(
            f"申报人已变化（新增{drift.applicants_added}名、删除或修改{drift.applicants_removed}名）"
        )
    added = sum(1 for e, _ in drift.conflicts_added if e in seated)
    removed = sum(1 for e, _ in drift.conflicts_removed if e in seated)
    if added or removed:
        out.append(f"回避登记已变化（新增{added}条、删除或修改{removed}条）")
    for seat in sorted(seats, key=lambda s: (s.role != "member", s.position)):
        if seat.expert.code in drift.unavailable:
            who = "评委" if seat.role == "member" else "备选专家"
            out.append(
                f"{who}{seat.expert.name}（{seat.expert.code}）已不能参加抽取"
                f"（当前状态：{seat.expert.status}，或已不在本评委会专家库）"
            )
    return out


def _codes(session: Session, expert_ids: set[int]) -> set[str]:
    if not expert_ids:
        return set()
    return set(session.scalars(select(Expert.code).where(Expert.id.in_(expert_ids))))


def _refuse_unfit_replacements(
    session: Session, incoming: list[str], busy: set[str], drift: Drift
) -> None:
    """The recorded package cannot know what happened since the draw: who was drawn for an
    overlapping meeting, who was suspended, which conflicts were declared. An expert the
    contract's replacement would seat must not be any of those."""
    problems = []
    for code in sorted(incoming):
        if code in busy:
            problems.append(f"{code}已在时间重叠的另一例会任评委")
        elif code in drift.unavailable:
            problems.append(f"{code}已不能参加抽取（已暂停、退出或列入黑名单）")
        elif code in drift.conflicted():
            problems.append(f"{code}的回避登记在抽取后有变化")
    if problems:
        raise UserError(
            "按规则应递补的专家不能递补：" + "；".join(problems) + "。请重新抽取本例会评委",
            field="expert",
        )


def refuse_if_changed(
    session: Session,
    panel: Panel,
    doing: str,
    *,
    members_only: bool = False,
    ignore: str = "",
    drift: Drift | None = None,
) -> None:
    changes = changes_since_draw(
        session, panel, members_only=members_only, ignore=ignore, drift=drift
    )
    if changes:
        raise UserError(
            f"抽取后以下数据有变化，名单可能已不合规，请重新抽取后再{doing}：" + "；".join(changes),
            field="panel",
        )


def _clean_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise UserError(f"请填写{what}", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise UserError(f"{what}不能超过{MAX_REASON_CHARS}个字符", field="reason")
    return reason


def _seat(panel: Panel, code: str, role: str, state: str = "active") -> PanelSeat | None:
    for seat in panel.seats:
        if seat.expert.code == code and seat.role == role and seat.state == state:
            return seat
    return None


@dataclass(frozen=True)
class DeclineOutcome:
    declined: str
    by: str | None  # None when the panel could not be completed (status infeasible)
    how: str | None  # alternate | redraw
    message: str


def decline(
    session: Session,
    panel: Panel,
    expert_code: str,
    reason: str,
    username: str,
    role: str,
    workers: int = 1,
) -> DeclineOutcome:
    """A member declines: the contract's replacement (first fitting alternate, else redraw)."""
    _refuse_sealed(panel)
    if panel.status != "drawn":
        raise UserError("只能对已抽出的评委名单登记请辞", field="panel")
    reason = _clean_reason(reason, "请辞理由")
    seat = _seat(panel, expert_code, "member")
    if seat is None:
        raise UserError(f"“{expert_code}”不是本评委会的在任评委", field="expert")
    drift = drift_since_draw(session, panel)  # one fresh package for both checks
    refuse_if_changed(
        session, panel, "登记请辞", members_only=True, ignore=expert_code, drift=drift
    )
    old = result_of(panel)
    busy = _codes(session, seated_on_overlapping(session, panel.meeting))
    try:
        # A redrawn seat never goes to anyone booked, suspended or newly conflicted since.
        new = replace(
            package_of(panel),
            result_bytes(panel),
            [expert_code],
            workers,
            busy | drift.unavailable | drift.conflicted(),
        )
    except PackageError as exc:
        raise UserError(f"无法办理请辞：{exc.message}", field="expert") from exc
    for key in ("season", "season_excluded"):  # a season panel stays one after a decline
        if key in old:
            new[key] = old[key]
    seated = {s.expert.code for s in panel.seats if s.role == "member" and s.state == "active"}
    incoming = [m for m in new.get("members", []) if m not in seated]
    _refuse_unfit_replacements(session, incoming, busy, drift)
    now = utcnow()
    seat.state = "declined"
    seat.reason = reason
    seat.changed_at = now
    history = new.get("replacements", [])
    step = history[-1] if history and history[-1].get("declined") == expert_code else None
    if new["status"] != "drawn":
        panel.status = "infeasible"
        by = how = None
        message = (
            f"{seat.expert.name}（{expert_code}）请辞后，没有备选专家可递补，"
            "保留其余评委也无法补抽出合规的评委会；按规定应重新组建评委会（请重新抽取）"
        )
    else:
        by = step["by"] if step else None
        how = step["how"] if step else None
        codes_to_ids = dict(
            session.execute(
                select(Expert.code, Expert.id).where(Expert.code.in_(new["members"]))
            ).all()
        )
        active_members = {
            s.expert.code for s in panel.seats if s.role == "member" and s.state == "active"
        }
        for code in new["members"]:
            if code in active_members:
                continue
            alt = _seat(panel, code, "alternate")
            if alt is not None:
                alt.state = "used"
                alt.changed_at = now
                alt.reason = f"递补{expert_code}"
            panel.seats.append(
                PanelSeat(
                    expert_id=codes_to_ids[code],
                    role="member",
                    position=seat.position,
                    reason=f"{DECLINE_HOW.get(how or '', '递补')}（替换{expert_code}）",
                    changed_at=now,
                )
            )
        replacement = session.scalar(select(Expert).where(Expert.code == by)) if by else None
        who = f"{replacement.name}（{by}）" if replacement else (by or "")
        message = f"已登记{seat.expert.name}（{expert_code}）请辞，{DECLINE_HOW.get(how or '', '递补')}：{who}"
    panel.result_json = _dump(new)
    session.flush()
    audit.record(
        session,
        username,
        role,
        "panel_decline",
        panel.meeting.code,
        {"panel": panel.id, "expert": expert_code, "reason": reason, "by": by, "how": how},
    )
    return DeclineOutcome(expert_code, by, how, message)


def seal(session: Session, panel: Panel, username: str, role: str) -> Panel:
    """Lock the panel; each active member's year of service is recorded (for rotation)."""
    _refuse_sealed(panel)
    if panel.status != "drawn":
        raise UserError("只有已抽出的评委名单才能锁定", field="panel")
    refuse_if_changed(session, panel, "锁定", members_only=True)
    meeting = panel.meeting
    panel.status = "sealed"
    panel.sealed_at = utcnow()
    panel.sealed_by = username
    members = [s for s in panel.seats if s.role == "member" and s.state == "active"]
    for seat in members:
        existing = session.scalar(
            select(ServiceRecord).where(
                ServiceRecord.expert_id == seat.expert_id,
                ServiceRecord.committee_id == meeting.committee_id,
                ServiceRecord.year == meeting.year,
            )
        )
        if existing is None:
            session.add(
                ServiceRecord(
                    expert_id=seat.expert_id,
                    committee_id=meeting.committee_id,
                    year=meeting.year,
                    attended=True,
                    note=f"{meeting.code}评委",
                )
            )
    session.flush()
    audit.record(
        session,
        username,
        role,
        "panel_seal",
        meeting.code,
        {"panel": panel.id, "members": sorted(s.expert.code for s in members)},
    )
    return panel


def record_no_show(
    session: Session,
    panel: Panel,
    expert_code: str,
    reason: str,
    username: str,
    role: str,
    today: date,
) -> PanelSeat:
    """After the meeting has begun: a sealed panel's member did not attend (缺席)."""
    if panel.status != "sealed":
        raise UserError("评委名单锁定后才能登记缺席", field="panel")
    meeting = panel.meeting
    if today < meeting.window_start:
        raise UserError(
            f"例会尚未开始（{meeting.window_start.isoformat()}起），不能登记缺席", field="expert"
        )
    reason = _clean_reason(reason, "缺席情况说明")
    seat = _seat(panel, expert_code, "member")
    if seat is None:
        if _seat(panel, expert_code, "member", "no_show") is not None:
            raise UserError(f"“{expert_code}”的缺席已登记过", field="expert")
        raise UserError(f"“{expert_code}”不是本评委会的在任评委", field="expert")
    seat.state = "no_show"
    seat.reason = reason
    seat.changed_at = utcnow()
    record = session.scalar(
        select(ServiceRecord).where(
            ServiceRecord.expert_id == seat.expert_id,
            ServiceRecord.committee_id == meeting.committee_id,
            ServiceRecord.year == meeting.year,
        )
    )
    if record is None:
        record = ServiceRecord(
            expert_id=seat.expert_id, committee_id=meeting.committee_id, year=meeting.year
        )
        session.add(record)
    record.attended = False
    record.note = f"{meeting.code}缺席：{reason}"
    session.flush()
    audit.record(
        session,
        username,
        role,
        "panel_no_show",
        meeting.code,
        {"panel": panel.id, "expert": expert_code, "reason": reason},
    )
    return seat


# ---------------------------------------------------------------------------
# Checks: replay and the independent verification
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayOutcome:
    same: bool
    message: str
    details: list[str]


def replay(
    session: Session,
    panel: Panel,
    workers: int = 1,
    season_loader: Callable[[str], bytes | None] | None = None,
) -> ReplayOutcome:
    """Draw again from the stored package bytes and seed; compare with the original draw.

    A panel stored from a season plan is replayed by planning the season again from the
    recorded season package (found by its SHA-256 through `season_loader`).
    """
    data = package_of(panel)
    details: list[str] = []
    sha = hashlib.sha256(data).hexdigest()
    if sha != panel.instance_sha256:
        details.append("记录的抽取包与其哈希不符（抽取包在抽取后被改动）")
    stored = result_of(panel)
    original = stored.get("original") or _original(stored)
    season_ref = stored.get("season")
    try:
        if isinstance(season_ref, dict):
            season_data = season_loader(str(season_ref.get("sha256"))) if season_loader else None
            if season_data is None:
                return ReplayOutcome(
                    False,
                    "无法重放：该名单来自年度联合抽取，找不到记录的年度数据包",
                    [f"年度数据包 SHA-256：{season_ref.get('sha256')}"],
                )
            from solver.season.package import parse_season
            from solver.season.plan import plan_season

            plan = plan_season(parse_season(season_data), panel.seed, workers)
            again = plan["panels"].get(panel.meeting.code, {})
            details.append("按记录的年度数据包和种子重新进行年度联合抽取")
        else:
            again = draw(data, panel.seed, workers)
    except PackageError as exc:
        return ReplayOutcome(False, f"无法重放：{exc.message}", [exc.message])
    labels = {
        "status": "抽取结果",
        "members": "评委",
        "alternates": "备选专家顺序",
        "uncovered": "无备选可替换的评委",
    }
    for key, label in labels.items():
        if again.get(key) != original.get(key):
            details.append(
                f"{label}不一致：记录为{_fmt(original.get(key))}，重放为{_fmt(again.get(key))}"
            )
        else:
            details.append(f"{label}一致：{_fmt(again.get(key))}")
    same = sha == panel.instance_sha256 and all(again.get(k) == original.get(k) for k in labels)
    if same:
        message = f"重放一致：以记录的抽取包（SHA-256 {sha[:12]}…）和种子“{panel.seed}”重新抽取，评委与备选顺序完全相同"
    else:
        message = "重放不一致：重新抽取的结果与记录不同"
    return ReplayOutcome(same, message, details)


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(value) if value else "无"
    return str(value)


def verification_report(panel: Panel, session: Session | None = None) -> Report:
    """The rule-by-rule report of the independent checks on the stored package and result.

    A panel stored from a season plan may list fewer alternates than its package alone asks
    for; the experts the season keeps off its list are recomputed from the recorded season
    package and plan (never taken from the result file)."""
    excluded: set[str] = set()
    season_ref = result_of(panel).get("season")
    if isinstance(season_ref, dict) and session is not None:
        from expertpool.services.season import run_exclusions

        sha, seed = str(season_ref.get("sha256")), str(season_ref.get("seed"))
        excluded = (run_exclusions(session, sha, seed) or {}).get(panel.meeting.code, set())
    try:
        return verify_panel(package_of(panel), result_bytes(panel), excluded)
    except PackageError as exc:  # stored by an older version, or changed behind the app
        return Report([Item("format", "结果文件格式", "draw-format.md", False, exc.message)])


# ---------------------------------------------------------------------------
# Season plans
# ---------------------------------------------------------------------------


def store_plan(
    session: Session,
    year: int,
    season_doc_bytes: bytes,
    plan: dict[str, Any],
    username: str,
    role: str,
) -> list[Panel]:
    """Store each drawn meeting of a season plan as that meeting's current panel."""
    from solver.season.package import parse_season

    try:
        season = parse_season(season_doc_bytes)
    except PackageError as exc:
        raise UserError(f"年度抽取数据有误：{exc.message}", field="season") from exc
    if plan.get("year") != year:
        raise UserError(f"年度联合抽取结果不是{year}年的", field="year")
    projections = {m.id: m.projection for m in season.meetings}
    panels_in = plan.get("panels", {})
    drawn = sorted(code for code, p in panels_in.items() if p.get("status") == "drawn")
    meetings = {
        m.code: m
        for m in session.scalars(
            select(Meeting).where(Meeting.code.in_(drawn)).options(selectinload(Meeting.committee))
        )
    }
    sealed = [code for code in drawn if code in meetings and _is_sealed(session, meetings[code])]
    if sealed:
        raise UserError(
            f"以下例会的评委名单已锁定，不能用年度联合抽取结果覆盖：{'、'.join(sealed)}",
            field="season",
        )
    stored = []
    season_sha = hashlib.sha256(season_doc_bytes).hexdigest()
    for code in drawn:
        meeting = meetings.get(code)
        if meeting is None or code not in projections:
            raise UserError(f"例会编号不存在：{code}", field="meeting")
        result = dict(panels_in[code])
        result["season"] = {"sha256": season_sha, "seed": plan.get("seed")}
        stored.append(
            _store_draw(
                session,
                meeting,
                projections[code],
                result,
                username,
                role,
                how="season",
                reason="年度联合抽取",
            )
        )
    return stored


def _is_sealed(session: Session, meeting: Meeting) -> bool:
    panel = current_panel(session, meeting)
    return panel is not None and panel.status == "sealed"


def seat_rows(session: Session, panel: Panel) -> list[PanelSeat]:
    """Seats with experts and units loaded, members first (by position), then alternates."""
    seats = list(
        session.scalars(
            select(PanelSeat)
            .where(PanelSeat.panel_id == panel.id)
            .options(selectinload(PanelSeat.expert).selectinload(Expert.unit))
            .order_by(PanelSeat.role.desc(), PanelSeat.position, PanelSeat.id)
        )
    )
    return seats


def stamp(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""
