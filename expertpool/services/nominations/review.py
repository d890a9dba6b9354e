"""The bureau's review of nominations: the queue with duplicate warnings, and approve,
reject or return one.

A decision happens once: it is a conditional UPDATE ... WHERE status = '已提交' checked by
its row count (services/once.py), taken before anything else is written, so two bureau tabs
approving (or one approving, one rejecting) the same nomination at once give one decision;
the other gets one message and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import (
    Committee,
    Expert,
    Nomination,
    PoolMembership,
    StatusChange,
    Unit,
)
from expertpool.services import audit
from expertpool.services.nominations.validation import ACTIVE_STATUSES, MAX_TEXT
from expertpool.services.once import rows_changed

# A new expert's code is the next free one; two approvals at once on PostgreSQL may pick the
# same code, and the later insert then tries the next (a few times at most).
CODE_ATTEMPTS = 5


@dataclass
class QueueItem:
    nomination: Nomination
    committees: list[Committee]
    warnings: list[str]
    existing_expert: Expert | None
    # Earlier nominations of the same person (身份证号) that the bureau rejected, newest first.
    rejected_before: list[Nomination] = field(default_factory=list)


def _require_bureau(actor: Actor) -> None:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以审核推荐")


def review_queue(
    session: Session,
    year: int,
    *,
    status: str = "已提交",
    q: str = "",
    committee_id: int | None = None,
) -> list[QueueItem]:
    """Nominations awaiting review (or of ``status``), with duplicate warnings; with
    `committee_id`, only those nominated to that committee."""
    stmt = (
        select(Nomination)
        .where(Nomination.year == year)
        .options(selectinload(Nomination.unit))
        .order_by(Nomination.submitted_at, Nomination.id)
    )
    if status:
        stmt = stmt.where(Nomination.status == status)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.join(Unit, Unit.id == Nomination.unit_id).where(
            Nomination.name.like(like) | Unit.name.like(like)
        )
    found = list(session.scalars(stmt))
    if committee_id:  # committee_ids is a JSON list: filtered here, on one year's rows
        found = [n for n in found if committee_id in (n.committee_ids or [])]
    return _with_warnings(session, year, found)


def review_item(session: Session, nomination_id: int) -> QueueItem:
    """One nomination with the duplicate warnings the review queue shows for it."""
    nomination = session.get(Nomination, nomination_id)
    if nomination is None:
        raise UserError("推荐记录不存在", field="nomination")
    return _with_warnings(session, nomination.year, [nomination])[0]


def _rejections(session: Session, cards: set[str]) -> dict[str, list[Nomination]]:
    """Rejected nominations (any year) of these 身份证号, newest first."""
    out: dict[str, list[Nomination]] = {}
    if cards:
        for n in session.scalars(
            select(Nomination)
            .where(Nomination.id_card.in_(cards), Nomination.status == "已驳回")
            .options(selectinload(Nomination.unit))
            .order_by(Nomination.reviewed_at.desc(), Nomination.id.desc())
        ):
            out.setdefault(n.id_card, []).append(n)
    return out


def _created_reason(nomination_id: int) -> str:
    """The reason of the first status change of an expert created by approving a nomination."""
    return f"推荐#{nomination_id}审核通过"


def _created_by(session: Session, nominations: list[Nomination]) -> set[int]:
    """Ids of the approved nominations whose approval created their expert."""
    approved = {n.id: n.expert_id for n in nominations if n.status == "已通过" and n.expert_id}
    if not approved:
        return set()
    stmt = select(StatusChange.expert_id, StatusChange.reason).where(
        StatusChange.expert_id.in_(set(approved.values())), StatusChange.old_status == "待审核"
    )
    made = set(session.execute(stmt))
    return {nid for nid, eid in approved.items() if (eid, _created_reason(nid)) in made}


def _pool_warning(n: Nomination, expert: Expert, created: set[int]) -> str | None:
    """The 已在专家库 warning, except for an expert there because of this very approval."""
    if n.id in created:
        return None
    if n.status == "已通过" and n.expert_id == expert.id:
        return f"审核时此人已在专家库：{expert.code} {expert.name}（本次通过只增加评委会和专业）"
    return f"此人已在专家库：{expert.code} {expert.name}（{expert.status}）"


def _with_warnings(session: Session, year: int, nominations: list[Nomination]) -> list[QueueItem]:
    """Queue items: committees, and duplicates by 身份证号 (other active nominations
    of ``year``, and the pool), and earlier rejections of the same person."""
    cards = {n.id_card for n in nominations}
    committees = {c.id: c for c in session.scalars(select(Committee))}
    experts = (
        {e.id_card: e for e in session.scalars(select(Expert).where(Expert.id_card.in_(cards)))}
        if cards
        else {}
    )
    others: dict[str, list[Nomination]] = {}
    if cards:
        for n in session.scalars(
            select(Nomination)
            .where(
                Nomination.year == year,
                Nomination.id_card.in_(cards),
                Nomination.status.in_(ACTIVE_STATUSES),
            )
            .options(selectinload(Nomination.unit))
        ):
            others.setdefault(n.id_card, []).append(n)
    rejected = _rejections(session, cards)
    created = _created_by(session, nominations)
    items = []
    for n in nominations:
        warnings = []
        expert = experts.get(n.id_card)
        in_pool = _pool_warning(n, expert, created) if expert is not None else None
        if in_pool:
            warnings.append(in_pool)
        for other in others.get(n.id_card, []):
            if other.id != n.id:
                warnings.append(f"与{other.unit.name}的推荐#{other.id}重复（{other.status}）")
        items.append(
            QueueItem(
                n,
                [committees[c] for c in n.committee_ids if c in committees],
                warnings,
                expert,
                [r for r in rejected.get(n.id_card, []) if r.id != n.id],
            )
        )
    return items


def next_expert_code(session: Session) -> str:
    codes = session.scalars(select(Expert.code).where(Expert.code.like("E%")))
    top = 0
    for code in codes:
        digits = code[1:]
        if digits.isdigit():
            top = max(top, int(digits))
    return f"E{top + 1:06d}"


def _reviewable(session: Session, nomination_id: int) -> Nomination:
    nomination = session.get(Nomination, nomination_id)
    if nomination is None:
        raise UserError("推荐记录不存在", field="nomination")
    if nomination.status != "已提交":
        raise UserError(f"该推荐当前状态为“{nomination.status}”，不能审核")
    return nomination


def _claim(session: Session, nomination: Nomination, status: str) -> None:
    """Take the decision once (see the module docstring); the loser raises and its caller
    rolls back."""
    claim = (
        update(Nomination)
        .where(Nomination.id == nomination.id, Nomination.status == "已提交")
        .values(status=status)
    )
    if rows_changed(session, claim) != 1:
        now = session.scalar(select(Nomination.status).where(Nomination.id == nomination.id))
        raise UserError(
            f"该推荐已由他人审核（当前状态为“{now}”），本次未作改动；请刷新页面查看",
            field="nomination",
        )
    nomination.status = status


def _approved_committees(nomination: Nomination, committee_ids: list[int] | None) -> list[int]:
    chosen = list(dict.fromkeys(committee_ids or nomination.committee_ids))
    if not chosen:
        raise UserError("请至少选择一个评委会", field="committee_ids")
    if any(c not in nomination.committee_ids for c in chosen):
        raise UserError("只能批准进入单位推荐的评委会", field="committee_ids")
    return chosen


def _insert_expert(session: Session, expert: Expert) -> None:
    """Insert `expert` under the next free code. Another approval committing the same person
    (another unit's nomination) a moment ago is one message; one taking the same code, the
    next code."""
    for _ in range(CODE_ATTEMPTS):
        expert.code = next_expert_code(session)
        try:
            with session.begin_nested():
                session.add(expert)
            return
        except IntegrityError:
            if session.scalar(select(Expert.id).where(Expert.id_card == expert.id_card)):
                raise UserError(
                    "此人刚刚已由另一项审核通过进入专家库，本次未作改动；请刷新页面后再审核",
                    field="nomination",
                ) from None
    raise UserError("专家编号分配冲突，本次未作改动，请稍后重试", field="nomination")


def _new_expert(session: Session, actor: Actor, nomination: Nomination, now: datetime) -> Expert:
    """A new pool expert from the nomination, with its first status change."""
    expert = Expert(
        code="",
        name=nomination.name,
        gender=nomination.gender,
        birth_year=nomination.birth_year,
        id_card=nomination.id_card,
        unit_id=nomination.unit_id,
        rank=nomination.rank,
        title_name=nomination.title_name,
        series=nomination.series,
        specialties=list(nomination.specialties),
        phone=nomination.phone,
        email=nomination.email,
        status="在库",
        created_at=now,
    )
    _insert_expert(session, expert)
    session.add(
        StatusChange(
            expert_id=expert.id,
            old_status="待审核",
            new_status="在库",
            reason=_created_reason(nomination.id),
            by_user=actor.username,
            at=now,
        )
    )
    return expert


def _renominated_expert(
    session: Session, actor: Actor, expert: Expert, nomination: Nomination, now: datetime
) -> None:
    """A person already in the pool: the nomination's data, and back to 在库 if out."""
    expert.name = nomination.name
    expert.unit_id = nomination.unit_id
    expert.rank = nomination.rank
    expert.title_name = nomination.title_name
    expert.series = nomination.series or expert.series
    expert.phone = nomination.phone
    expert.email = nomination.email
    expert.specialties = list(
        dict.fromkeys(list(expert.specialties) + list(nomination.specialties))
    )
    if expert.status != "在库":
        session.add(
            StatusChange(
                expert_id=expert.id,
                old_status=expert.status,
                new_status="在库",
                reason=f"重新推荐（推荐#{nomination.id}）审核通过",
                by_user=actor.username,
                at=now,
            )
        )
        expert.status = "在库"


def _refuse_blocked(expert: Expert | None) -> None:
    if expert is not None and expert.status in ("黑名单", "暂停"):
        raise UserError(
            f"此人已在专家库（{expert.code}），当前状态为“{expert.status}”，不能通过；"
            "如需恢复请先在专家档案中变更状态"
        )


def _join_pools(session: Session, expert: Expert, chosen: list[int], now: datetime) -> None:
    have = set(
        session.scalars(
            select(PoolMembership.committee_id).where(PoolMembership.expert_id == expert.id)
        )
    )
    for cid in chosen:
        if cid not in have:
            session.add(PoolMembership(committee_id=cid, expert_id=expert.id, since=now))


def approve_nomination(
    session: Session,
    actor: Actor,
    nomination_id: int,
    *,
    now: datetime,
    committee_ids: list[int] | None = None,
) -> Expert:
    """Approve into the chosen committees' pools (default: all nominated committees).

    A person already in the pool (same 身份证号) gains the committees and specialties;
    no second expert is created.
    """
    _require_bureau(actor)
    nomination, chosen = _claim_approval(session, nomination_id, committee_ids)
    return _admit(session, actor, nomination, chosen, now)


def _claim_approval(
    session: Session, nomination_id: int, committee_ids: list[int] | None
) -> tuple[Nomination, list[int]]:
    """Every check, then the decision taken (once); nothing else written yet."""
    nomination = _reviewable(session, nomination_id)
    chosen = _approved_committees(nomination, committee_ids)
    _refuse_blocked(session.scalar(select(Expert).where(Expert.id_card == nomination.id_card)))
    _claim(session, nomination, "已通过")
    return nomination, chosen


def _admit(
    session: Session, actor: Actor, nomination: Nomination, chosen: list[int], now: datetime
) -> Expert:
    """The approved nomination's person into the pools: a new expert, or the one in the pool."""
    expert = session.scalar(select(Expert).where(Expert.id_card == nomination.id_card))
    created = expert is None
    if expert is None:
        expert = _new_expert(session, actor, nomination, now)
    else:
        _renominated_expert(session, actor, expert, nomination, now)
    _join_pools(session, expert, chosen, now)
    nomination.expert_id = expert.id
    _record_decision(
        session,
        actor,
        nomination,
        "已通过",
        "",
        now,
        {"decision": "通过", "expert": expert.code, "new_expert": created, "committees": chosen},
    )
    return expert


def _who(session: Session, nomination_id: int) -> str:
    n = session.get(Nomination, nomination_id)
    return f"推荐#{nomination_id}" + (f" {n.name}" if n is not None else "")


def approve_many(
    session: Session, actor: Actor, nomination_ids: list[int], *, now: datetime
) -> list[Expert]:
    """Approve each nomination into all its nominated committees, all or nothing: when any
    cannot be approved, `UserError` lists every one that cannot (by 编号 and name, with the
    reason) and the caller rolls back, so none is approved.

    Every decision is taken first, in id order, before any expert is written: a single
    approval racing the batch then never waits on the batch's new experts while the batch
    waits on its nomination (a deadlock on PostgreSQL)."""
    _require_bureau(actor)
    ids = list(dict.fromkeys(nomination_ids))
    if not ids:
        raise UserError("请先勾选要通过的推荐", field="nomination_ids")
    claimed: dict[int, tuple[Nomination, list[int]]] = {}
    failures = []
    for nomination_id in sorted(ids):
        try:
            claimed[nomination_id] = _claim_approval(session, nomination_id, None)
        except UserError as exc:
            failures.append(f"{_who(session, nomination_id)}：{exc.message}")
    experts = []
    for nomination_id in ids if not failures else []:
        try:
            experts.append(_admit(session, actor, *claimed[nomination_id], now))
        except UserError as exc:
            failures.append(f"{_who(session, nomination_id)}：{exc.message}")
            break
    if failures:
        raise UserError(
            f"所选{len(ids)}条推荐均未通过（整批不作改动），其中{len(failures)}条不能通过："
            + "；".join(failures),
            field="nomination_ids",
        )
    return experts


def _record_decision(
    session: Session,
    actor: Actor,
    nomination: Nomination,
    status: str,
    reason: str,
    now: datetime,
    detail: dict[str, object],
) -> None:
    """The review's outcome on the nomination, and on the audit trail with `detail`."""
    nomination.status = status
    nomination.reviewed_by = actor.username
    nomination.reviewed_at = now
    nomination.review_reason = reason
    audit.record(
        session,
        actor.username,
        actor.role,
        "nomination_review",
        f"推荐#{nomination.id}",
        detail,
    )
    session.flush()


def _decide(
    session: Session, actor: Actor, nomination_id: int, status: str, reason: str, now: datetime
) -> Nomination:
    _require_bureau(actor)
    reason = (reason or "").strip()
    if not reason:
        raise UserError("请填写理由", field="reason")
    if len(reason) > MAX_TEXT:
        raise UserError(f"理由不能超过{MAX_TEXT}个字", field="reason")
    nomination = _reviewable(session, nomination_id)
    _claim(session, nomination, status)
    _record_decision(
        session, actor, nomination, status, reason, now, {"decision": status, "reason": reason}
    )
    return nomination


def reject_nomination(
    session: Session, actor: Actor, nomination_id: int, reason: str, *, now: datetime
) -> Nomination:
    return _decide(session, actor, nomination_id, "已驳回", reason, now)


def return_nomination(
    session: Session, actor: Actor, nomination_id: int, reason: str, *, now: datetime
) -> Nomination:
    """Send back to the unit for correction (已退回); the unit may edit and resubmit."""
    return _decide(session, actor, nomination_id, "已退回", reason, now)


def nomination_counts(session: Session, year: int) -> dict[int, int]:
    """Active nominations (submitted, returned, approved) per committee id this year."""
    counts: dict[int, int] = {}
    for ids in session.scalars(
        select(Nomination.committee_ids).where(
            Nomination.year == year, Nomination.status.in_(ACTIVE_STATUSES)
        )
    ):
        for cid in ids or []:
            counts[cid] = counts.get(cid, 0) + 1
    return counts


def status_counts(session: Session, year: int) -> dict[str, int]:
    rows = session.execute(
        select(Nomination.status, func.count())
        .where(Nomination.year == year)
        .group_by(Nomination.status)
    )
    return {status: n for status, n in rows}
