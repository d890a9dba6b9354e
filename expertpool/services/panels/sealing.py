"""Sealing a panel, the refusals a sealed panel imposes, and no-shows after the meeting.

Nothing changes a sealed panel: every mutating function refuses it with one message.
Recording a no-show after the meeting is the one exception — it records attendance, not the
composition of the panel.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.errors import UserError
from expertpool.models import Meeting, Panel, PanelSeat, ServiceRecord
from expertpool.services import audit
from expertpool.services.once import rows_changed
from expertpool.services.panels.drift import refuse_if_changed
from expertpool.services.panels.query import clean_reason, current_panel, find_seat
from expertpool.validators import echo

SEALED_MESSAGE = "评委名单已锁定，不能再作任何修改"
ALREADY_SEALED_MESSAGE = "评委名单已由他人锁定（可能在另一页面），本次未重复锁定；请刷新页面查看"


def refuse_sealed(panel: Panel | None) -> None:
    if panel is not None and panel.status == "sealed":
        raise UserError(SEALED_MESSAGE, field="panel")


def refuse_if_sealed(session: Session, meeting: Meeting) -> None:
    """Applicants, conflicts and rules of a meeting whose panel is sealed no longer change."""
    refuse_sealed(current_panel(session, meeting))


def is_sealed(session: Session, meeting: Meeting) -> bool:
    panel = current_panel(session, meeting)
    return panel is not None and panel.status == "sealed"


def _service_record(session: Session, seat: PanelSeat, meeting: Meeting) -> ServiceRecord | None:
    return session.scalar(
        select(ServiceRecord).where(
            ServiceRecord.expert_id == seat.expert_id,
            ServiceRecord.committee_id == meeting.committee_id,
            ServiceRecord.year == meeting.year,
        )
    )


def seal(session: Session, panel: Panel, actor: Actor, *, clock: Clock = SYSTEM_CLOCK) -> Panel:
    """Lock the panel; its active members now count as having served that year (rotation)."""
    refuse_sealed(panel)
    if panel.status != "drawn":
        raise UserError("只有已抽出的评委名单才能锁定", field="panel")
    refuse_if_changed(session, panel, "锁定", members_only=True)
    meeting = panel.meeting
    sealed_at = clock.utcnow()
    # Once only: two tabs (or servers) both pass the checks above; the database decides.
    claim = (
        update(Panel)
        .where(Panel.id == panel.id, Panel.status == "drawn")
        .values(status="sealed", sealed_at=sealed_at, sealed_by=actor.username)
    )
    if rows_changed(session, claim) != 1:
        raise UserError(ALREADY_SEALED_MESSAGE, field="panel")
    panel.status = "sealed"
    panel.sealed_at = sealed_at
    panel.sealed_by = actor.username
    members = [s for s in panel.seats if s.role == "member" and s.state == "active"]
    # No service record yet: a sealed seat counts for rotation by itself (packages.
    # sealed_seat_years); attendance is recorded by the meeting record, after the meeting.
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
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
    actor: Actor,
    today: date,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> PanelSeat:
    """After the meeting has begun: a sealed panel's member did not attend (缺席)."""
    if panel.status != "sealed":
        raise UserError("评委名单锁定后才能登记缺席", field="panel")
    meeting = panel.meeting
    if today < meeting.window_start:
        raise UserError(
            f"例会尚未开始（{meeting.window_start.isoformat()}起），不能登记缺席", field="expert"
        )
    reason = clean_reason(reason, "缺席情况说明")
    seat = find_seat(panel, expert_code, "member")
    if seat is None:
        if find_seat(panel, expert_code, "member", "no_show") is not None:
            raise UserError(f"“{echo(expert_code)}”的缺席已登记过", field="expert")
        raise UserError(f"“{echo(expert_code)}”不是本评委会的在任评委", field="expert")
    seat.state = "no_show"
    seat.reason = reason
    seat.changed_at = clock.utcnow()
    record = _service_record(session, seat, meeting)
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
        actor.username,
        actor.role,
        "panel_no_show",
        meeting.code,
        {"panel": panel.id, "expert": expert_code, "reason": reason},
    )
    return seat
