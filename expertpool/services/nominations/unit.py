"""A unit's own nominations: submit, edit, withdraw, and search."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Nomination, User
from expertpool.models.enums import NOMINATION_STATUSES
from expertpool.services import audit
from expertpool.services.nominations.deadline import (
    EDITABLE_STATUSES,
    ensure_changeable,
    ensure_open,
)
from expertpool.services.nominations.validation import (
    NominationInput,
    NominationInvalid,
    clean_nomination,
    duplicate_message,
    own_duplicate,
    text_of,
)

# Idempotency tokens are made by secrets.token_urlsafe; anything else is not ours.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# What a search for the tail of a 身份证号 may look like.
_CARD_TAIL_RE = re.compile(r"[0-9X]{1,18}")


def require_unit(actor: Actor) -> int:
    if actor.role != "unit" or actor.unit_id is None:
        raise UserError("只有推荐单位账户可以推荐评审专家")
    return actor.unit_id


def find_by_token(session: Session, token: str) -> Nomination | None:
    if not token:
        return None
    return session.scalar(select(Nomination).where(Nomination.idempotency_token == token))


def _earlier_submission(session: Session, unit_id: int, token: str | None) -> Nomination | None:
    """The nomination a reused form token already created (a double click), if any."""
    if not token:
        return None
    if not _TOKEN_RE.fullmatch(token):
        raise UserError("表单令牌无效，请刷新页面后重新提交")
    existing = find_by_token(session, token)
    if existing is not None and existing.unit_id != unit_id:
        raise UserError("表单令牌无效，请刷新页面后重新提交")
    return existing


def submit_nomination(
    session: Session,
    actor: Actor,
    year: int,
    data: NominationInput,
    *,
    now: datetime,
    token: str | None = None,
) -> tuple[Nomination, bool]:
    """Create a nomination; returns (nomination, created). A reused token creates nothing."""
    unit_id = require_unit(actor)
    existing = _earlier_submission(session, unit_id, token)
    if existing is not None:
        return existing, False
    ensure_open(session, year, now)
    clean, errors = clean_nomination(session, year, data, check_today=now)
    if "id_card" in clean and "id_card" not in errors:
        dup = own_duplicate(session, year, unit_id, clean["id_card"], None)
        if dup is not None and token and dup.idempotency_token == token:
            # A double click's twin request committed between our token check and here.
            return dup, False
        if dup is not None:
            errors["id_card"] = duplicate_message(dup)
    if errors:
        raise NominationInvalid(errors)
    nomination = Nomination(
        year=year,
        unit_id=unit_id,
        status="已提交",
        idempotency_token=token or None,
        submitted_by=actor.username,
        submitted_at=now,
        updated_at=now,
        **clean,
    )
    session.add(nomination)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "nomination_submit",
        f"推荐#{nomination.id}",
        {"name": nomination.name, "committees": nomination.committee_ids, "year": year},
    )
    return nomination, True


def get_unit_nomination(session: Session, actor: Actor, nomination_id: int) -> Nomination:
    unit_id = require_unit(actor)
    nomination = session.get(Nomination, nomination_id)
    if nomination is None or nomination.unit_id != unit_id:
        raise UserError("推荐记录不存在", field="nomination")
    return nomination


def update_nomination(
    session: Session, actor: Actor, nomination_id: int, data: NominationInput, *, now: datetime
) -> Nomination:
    """Edit a nomination still 已提交 or 已退回; a returned one goes back to 已提交.

    A returned nomination may be corrected after the deadline too (see ``unit_can_change``).
    """
    nomination = get_unit_nomination(session, actor, nomination_id)
    if nomination.status not in EDITABLE_STATUSES:
        raise UserError(f"该推荐当前状态为“{nomination.status}”，不能修改")
    late = ensure_changeable(session, nomination, now)
    clean, errors = clean_nomination(session, nomination.year, data, check_today=now)
    if "id_card" in clean and "id_card" not in errors:
        dup = own_duplicate(
            session, nomination.year, nomination.unit_id, clean["id_card"], nomination.id
        )
        if dup is not None:
            errors["id_card"] = duplicate_message(dup)
    if errors:
        raise NominationInvalid(errors)
    for key, value in clean.items():
        setattr(nomination, key, value)
    return _unit_change(session, actor, nomination, "已提交", now, late, edit=True)


def _unit_change(
    session: Session,
    actor: Actor,
    nomination: Nomination,
    status: str,
    now: datetime,
    late: bool,
    **what: bool,
) -> Nomination:
    """A unit resubmits or withdraws its nomination: the new status and its audit event."""
    details: dict[str, object] = {
        "name": nomination.name,
        **what,
        "previous_status": nomination.status,
    }
    if late:  # a returned nomination corrected or withdrawn after the deadline
        details["after_deadline"] = True
    nomination.status = status
    nomination.updated_at = now
    audit.record(
        session, actor.username, actor.role, "nomination_submit", f"推荐#{nomination.id}", details
    )
    session.flush()
    return nomination


def withdraw_nomination(
    session: Session, actor: Actor, nomination_id: int, *, now: datetime
) -> Nomination:
    """Withdraw a 已提交 nomination until the deadline, or a 已退回 one at any time."""
    nomination = get_unit_nomination(session, actor, nomination_id)
    if nomination.status not in EDITABLE_STATUSES:
        raise UserError(f"该推荐当前状态为“{nomination.status}”，不能撤回")
    late = ensure_changeable(session, nomination, now)
    return _unit_change(session, actor, nomination, "已撤回", now, late, withdrawn=True)


def search_unit_nominations(
    session: Session, unit_id: int, year: int, *, q: str = "", status: str = ""
) -> list[Nomination]:
    """The unit's nominations of ``year``, newest first.

    ``q`` matches part of the name or the tail of the 身份证号 (e.g. its last four
    characters); ``status`` is one of ``NOMINATION_STATUSES`` or empty for all.
    """
    if status and status not in NOMINATION_STATUSES:
        raise UserError(f"「状态」无效，请选择{'、'.join(NOMINATION_STATUSES)}之一", field="status")
    stmt = (
        select(Nomination)
        .where(Nomination.unit_id == unit_id, Nomination.year == year)
        .order_by(Nomination.id.desc())
    )
    if status:
        stmt = stmt.where(Nomination.status == status)
    q = text_of(q)
    if q:
        match = Nomination.name.contains(q, autoescape=True)
        tail = q.upper()
        if _CARD_TAIL_RE.fullmatch(tail):
            match = match | Nomination.id_card.endswith(tail, autoescape=True)
        stmt = stmt.where(match)
    return list(session.scalars(stmt))


def submitter_label(session: Session, nomination: Nomination) -> str:
    """Who submitted, as a person reads it: the account's name and the nominating unit, e.g.
    "大连理工大学人事处（大连理工大学）"; never the bare login name. A submitter without an
    account (an import, the demo) is shown as the unit."""
    unit = nomination.unit.name
    user = session.scalar(select(User).where(User.username == nomination.submitted_by))
    name = user.display_name.strip() if user is not None else ""
    return f"{name}（{unit}）" if name and name != unit else unit
