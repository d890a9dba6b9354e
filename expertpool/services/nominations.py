"""Units nominate experts (推荐); the bureau reviews them into committee pools.

Everything here takes a SQLAlchemy ``Session`` and plain data, so the web views and any
command-line tool share one set of rules. Times are naive Asia/Shanghai local times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from expertpool.catalogue.loader import SERIES
from expertpool.errors import UserError
from expertpool.models import (
    Committee,
    Expert,
    Meeting,
    Nomination,
    PoolMembership,
    StatusChange,
    Unit,
    YearSetting,
)
from expertpool.models.enums import GENDERS, NOMINATION_STATUSES, RANKS
from expertpool.services import audit
from expertpool.services.catalogue_sync import default_deadline
from expertpool.validators import (
    ValidationError,
    id_card_birth_year,
    id_card_gender,
    validate_email,
    validate_id_card,
    validate_name,
    validate_phone,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Field key -> Chinese label, used for messages next to fields and in import reports.
FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "gender": "性别",
    "id_card": "身份证号",
    "rank": "职称级别",
    "title_name": "职称名称",
    "series": "系列",
    "phone": "联系电话",
    "email": "电子邮箱",
    "committee_ids": "推荐评委会",
    "specialties": "专业",
    "recommendation": "推荐意见",
    "pledge_personal": "个人承诺",
    "pledge_unit": "单位承诺",
}
MAX_TEXT = 500
# C0 control characters other than tab and line breaks, and DEL.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Idempotency tokens are made by secrets.token_urlsafe; anything else is not ours.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# What a search for the tail of a 身份证号 may look like.
_CARD_TAIL_RE = re.compile(r"[0-9X]{1,18}")
EDITABLE_STATUSES = ("已提交", "已退回")
ACTIVE_STATUSES = ("已提交", "已退回", "已通过")


@dataclass(frozen=True)
class Actor:
    """Who is acting: the audit trail's username and role; a unit account's unit."""

    username: str
    role: str
    unit_id: int | None = None


@dataclass
class NominationInput:
    """One nomination as typed in a form or a spreadsheet row (unvalidated text)."""

    name: str = ""
    gender: str = ""
    id_card: str = ""
    rank: str = ""
    title_name: str = ""
    series: str = ""
    phone: str = ""
    email: str = ""
    committee_ids: list[int] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)
    recommendation: str = ""
    pledge_personal: bool = False
    pledge_unit: bool = False


class NominationInvalid(UserError):
    """Several fields failed; ``errors`` maps a field key to its Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.items()))
        super().__init__(f"「{FIELD_LABELS.get(first[0], first[0])}」{first[1]}", field=first[0])
        self.errors = errors


# ---------------------------------------------------------------------------
# Time and the deadline
# ---------------------------------------------------------------------------


def shanghai_now() -> datetime:
    """The current Asia/Shanghai wall-clock time, naive (as stored in YearSetting)."""
    return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)


def nomination_deadline(session: Session, year: int) -> datetime:
    setting = session.get(YearSetting, year)
    return setting.nomination_deadline if setting else default_deadline(year)


def nominations_open(session: Session, year: int, now: datetime) -> bool:
    return now <= nomination_deadline(session, year)


def format_datetime(value: datetime) -> str:
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


def ensure_open(session: Session, year: int, now: datetime) -> None:
    deadline = nomination_deadline(session, year)
    if now > deadline:
        raise UserError(
            f"{year}年评审专家推荐已于{format_datetime(deadline)}截止，不能再提交、修改或撤回推荐",
            field="deadline",
        )


def may_change(status: str, *, is_open: bool) -> bool:
    """Whether the unit may edit or withdraw a nomination of ``status``.

    Until the deadline every 已提交 or 已退回 nomination may be changed. After it only a
    nomination the bureau returned for correction (已退回) may: review happens after the
    deadline, so closing those too would make 退回修改 a dead end.
    """
    return status == "已退回" or (is_open and status in EDITABLE_STATUSES)


def unit_can_change(session: Session, nomination: Nomination, now: datetime) -> bool:
    """``may_change`` for ``nomination`` at ``now`` (its own year's deadline)."""
    return may_change(nomination.status, is_open=nominations_open(session, nomination.year, now))


def _ensure_changeable(session: Session, nomination: Nomination, now: datetime) -> bool:
    """Refuse a unit's change the deadline forbids; True when allowed only as a correction."""
    if nomination.status == "已退回":
        return not nominations_open(session, nomination.year, now)
    ensure_open(session, nomination.year, now)
    return False


def set_deadline(session: Session, actor: Actor, year: int, deadline: datetime) -> YearSetting:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以修改推荐截止时间")
    if not (year - 1 <= deadline.year <= year + 1):
        raise UserError(f"截止时间应在{year}年前后", field="deadline")
    setting = session.get(YearSetting, year)
    old = setting.nomination_deadline if setting else None
    if setting is None:
        setting = YearSetting(year=year, nomination_deadline=deadline)
        session.add(setting)
    setting.nomination_deadline = deadline.replace(microsecond=0)
    audit.record(
        session,
        actor.username,
        actor.role,
        "settings",
        f"{year}年推荐截止时间",
        {"old": old.isoformat() if old else None, "new": setting.nomination_deadline.isoformat()},
    )
    session.flush()
    return setting


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def year_committees(session: Session, year: int) -> list[Committee]:
    """Committees in the ``year`` catalogue, in notice order (senior first)."""
    stmt = (
        select(Committee)
        .join(Meeting, Meeting.committee_id == Committee.id)
        .where(Meeting.year == year)
        .order_by(Committee.level.desc(), Meeting.seq)
    )
    return list(session.scalars(stmt))


def _strip_label(label: str, message: str) -> str:
    if message.startswith(label):
        rest = message[len(label) :].lstrip("：:")
        return rest or message
    return message


def _text(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def clean_nomination(
    session: Session, year: int, data: NominationInput, *, check_today: datetime | None = None
) -> tuple[dict, dict[str, str]]:
    """Validate one nomination; returns (clean values, errors by field key)."""
    errors: dict[str, str] = {}
    out: dict = {}

    def run(key: str, fn, raw):  # type: ignore[no-untyped-def]
        try:
            out[key] = fn(raw)
        except ValidationError as exc:
            errors[key] = _strip_label(FIELD_LABELS[key], exc.message)

    for key in ("title_name", "recommendation", "name", "email", "phone"):
        raw = getattr(data, key) or ""
        if len(str(raw)) > MAX_TEXT:
            errors[key] = f"不能超过{MAX_TEXT}个字"
        elif _CONTROL_CHARS.search(str(raw)):  # PostgreSQL cannot even store NUL
            errors[key] = "含有不可见的控制字符（常见于从其他软件复制的文字），请删除后重新填写"
    if "name" not in errors:
        run("name", validate_name, data.name)
    if "phone" not in errors:
        run("phone", validate_phone, data.phone)
    if "email" not in errors:
        run("email", validate_email, data.email)
    run(
        "id_card",
        lambda s: validate_id_card(s, today=check_today.date() if check_today else None),
        data.id_card,
    )

    gender = _text(data.gender)
    if gender not in GENDERS:
        errors["gender"] = "请选择性别（男或女）"
    elif "id_card" in out and id_card_gender(out["id_card"]) != gender:
        errors["gender"] = f"与身份证号不符（身份证号显示为{id_card_gender(out['id_card'])}）"
    else:
        out["gender"] = gender
    if "id_card" in out:
        out["birth_year"] = id_card_birth_year(out["id_card"])

    rank = _text(data.rank)
    if rank not in RANKS:
        errors["rank"] = f"请选择职称级别（{'、'.join(reversed(RANKS))}）"
    else:
        out["rank"] = rank
    title = _text(data.title_name)
    if "title_name" not in errors:
        if not title:
            errors["title_name"] = "不能为空（如：教授、正高级工程师）"
        elif len(title) > 60:
            errors["title_name"] = "不能超过60个字"
        else:
            out["title_name"] = title
    series = _text(data.series)
    if series not in SERIES:
        errors["series"] = "请选择职称系列"
    else:
        out["series"] = series

    committees = {c.id: c for c in year_committees(session, year)}
    chosen: list[Committee] = []
    for cid in dict.fromkeys(data.committee_ids):
        if cid not in committees:
            errors["committee_ids"] = f"所选评委会不在{year}年评委会目录中"
            break
        chosen.append(committees[cid])
    if not data.committee_ids:
        errors["committee_ids"] = "请至少选择一个评委会"
    elif "committee_ids" not in errors:
        out["committee_ids"] = [c.id for c in chosen]
        if rank == "中级":
            senior = [c.name for c in chosen if c.level == "senior"]
            if senior:
                errors["rank"] = "中级职称人员不能推荐到高级评委会"

    specialties = [s for s in dict.fromkeys(_text(s) for s in data.specialties) if s]
    if not specialties:
        errors["specialties"] = "请至少选择一个专业"
    elif chosen:
        allowed = {s for c in chosen for s in c.specialties}
        bad = [s for s in specialties if s not in allowed]
        if bad:
            errors["specialties"] = f"“{'、'.join(bad)}”不属于所选评委会的专业"
        else:
            out["specialties"] = specialties

    recommendation = str(data.recommendation or "").strip()
    if "recommendation" not in errors:
        if not recommendation:
            errors["recommendation"] = "请填写单位推荐意见"
        else:
            out["recommendation"] = recommendation
    if not data.pledge_personal:
        errors["pledge_personal"] = "须勾选个人承诺"
    if not data.pledge_unit:
        errors["pledge_unit"] = "须勾选单位承诺"
    out["pledge_personal"] = bool(data.pledge_personal)
    out["pledge_unit"] = bool(data.pledge_unit)
    # Order errors as the fields appear on the form.
    ordered = {k: errors[k] for k in FIELD_LABELS if k in errors}
    return out, ordered


def _own_duplicate(
    session: Session, year: int, unit_id: int, id_card: str, exclude_id: int | None
) -> Nomination | None:
    stmt = select(Nomination).where(
        Nomination.year == year,
        Nomination.unit_id == unit_id,
        Nomination.id_card == id_card,
        Nomination.status.in_(ACTIVE_STATUSES),
    )
    if exclude_id is not None:
        stmt = stmt.where(Nomination.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def _require_unit(actor: Actor) -> int:
    if actor.role != "unit" or actor.unit_id is None:
        raise UserError("只有推荐单位账户可以推荐评审专家")
    return actor.unit_id


# ---------------------------------------------------------------------------
# Units: submit, edit, withdraw
# ---------------------------------------------------------------------------


def find_by_token(session: Session, token: str) -> Nomination | None:
    if not token:
        return None
    return session.scalar(select(Nomination).where(Nomination.idempotency_token == token))


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
    unit_id = _require_unit(actor)
    if token:
        if not _TOKEN_RE.fullmatch(token):
            raise UserError("表单令牌无效，请刷新页面后重新提交")
        existing = find_by_token(session, token)
        if existing is not None:
            if existing.unit_id != unit_id:
                raise UserError("表单令牌无效，请刷新页面后重新提交")
            return existing, False
    ensure_open(session, year, now)
    clean, errors = clean_nomination(session, year, data, check_today=now)
    if "id_card" in clean and "id_card" not in errors:
        dup = _own_duplicate(session, year, unit_id, clean["id_card"], None)
        if dup is not None and token and dup.idempotency_token == token:
            # A double click's twin request committed between our token check and here.
            return dup, False
        if dup is not None:
            errors["id_card"] = f"本单位今年已推荐此人（推荐编号{dup.id}，状态：{dup.status}）"
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
    unit_id = _require_unit(actor)
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
    late = _ensure_changeable(session, nomination, now)
    clean, errors = clean_nomination(session, nomination.year, data, check_today=now)
    if "id_card" in clean and "id_card" not in errors:
        dup = _own_duplicate(
            session, nomination.year, nomination.unit_id, clean["id_card"], nomination.id
        )
        if dup is not None:
            errors["id_card"] = f"本单位今年已推荐此人（推荐编号{dup.id}，状态：{dup.status}）"
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
    late = _ensure_changeable(session, nomination, now)
    return _unit_change(session, actor, nomination, "已撤回", now, late, withdrawn=True)


def unit_nominations(session: Session, unit_id: int, year: int) -> list[Nomination]:
    return list(
        session.scalars(
            select(Nomination)
            .where(Nomination.unit_id == unit_id, Nomination.year == year)
            .order_by(Nomination.id.desc())
        )
    )


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
    q = _text(q)
    if q:
        match = Nomination.name.contains(q, autoescape=True)
        tail = q.upper()
        if _CARD_TAIL_RE.fullmatch(tail):
            match = match | Nomination.id_card.endswith(tail, autoescape=True)
        stmt = stmt.where(match)
    return list(session.scalars(stmt))


def add_many(
    session: Session,
    actor: Actor,
    year: int,
    rows: list[NominationInput],
    *,
    now: datetime,
    row_numbers: list[int] | None = None,
    preset_errors: dict[tuple[int, str], str] | None = None,
    target: str = "批量推荐",
) -> list[Nomination]:
    """Bulk submission: validates every row first and adds all of them or none.

    ``row_numbers`` are the numbers shown in messages (e.g. spreadsheet rows; default 1…n);
    ``preset_errors`` are problems already found while reading, keyed by (row number,
    field key), and take the place of the validator's message for that field. Raises
    ``RowErrors`` listing every bad row and field.
    """
    unit_id = _require_unit(actor)
    ensure_open(session, year, now)
    numbers = row_numbers or list(range(1, len(rows) + 1))
    preset = preset_errors or {}
    problems: list[tuple[int, str, str]] = []
    cleaned: list[dict] = []
    seen: dict[str, int] = {}
    for number, data in zip(numbers, rows, strict=True):
        clean, errors = clean_nomination(session, year, data, check_today=now)
        for (row, key), message in preset.items():
            if row == number:
                errors[key] = message
        card = clean.get("id_card")
        if card and "id_card" not in errors:
            if card in seen:
                errors["id_card"] = f"与第{seen[card]}行重复"
            else:
                seen[card] = number
                dup = _own_duplicate(session, year, unit_id, card, None)
                if dup is not None:
                    errors["id_card"] = (
                        f"本单位今年已推荐此人（推荐编号{dup.id}，状态：{dup.status}）"
                    )
        for key in FIELD_LABELS:
            if key in errors:
                problems.append((number, key, errors[key]))
        cleaned.append(clean)
    if problems:
        raise RowErrors(problems)
    created = []
    for clean in cleaned:
        nomination = Nomination(
            year=year,
            unit_id=unit_id,
            status="已提交",
            submitted_by=actor.username,
            submitted_at=now,
            updated_at=now,
            **clean,
        )
        session.add(nomination)
        created.append(nomination)
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "import",
        f"{target}{len(created)}人",
        {"year": year, "ids": [n.id for n in created]},
    )
    return created


class RowErrors(UserError):
    """Bulk input with bad rows: ``problems`` is a list of (row number, field key, message)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        rows = len({p[0] for p in problems})
        super().__init__(f"共有{rows}行数据有错误，全部未导入，请修改后重新上传")

    def lines(self) -> list[str]:
        return [
            f"第{row}行「{FIELD_LABELS.get(key, key)}」：{msg}" for row, key, msg in self.problems
        ]


# ---------------------------------------------------------------------------
# The bureau's review
# ---------------------------------------------------------------------------


@dataclass
class QueueItem:
    nomination: Nomination
    committees: list[Committee]
    warnings: list[str]
    existing_expert: Expert | None


def _require_bureau(actor: Actor) -> None:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以审核推荐")


def review_queue(
    session: Session, year: int, *, status: str = "已提交", q: str = ""
) -> list[QueueItem]:
    """Nominations awaiting review (or of ``status``), with duplicate warnings."""
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
    return _with_warnings(session, year, list(session.scalars(stmt)))


def review_item(session: Session, nomination_id: int) -> QueueItem:
    """One nomination with the duplicate warnings the review queue shows for it."""
    nomination = session.get(Nomination, nomination_id)
    if nomination is None:
        raise UserError("推荐记录不存在", field="nomination")
    return _with_warnings(session, nomination.year, [nomination])[0]


def _with_warnings(session: Session, year: int, nominations: list[Nomination]) -> list[QueueItem]:
    """Queue items: committees, and duplicates by 身份证号 (other active nominations
    of ``year``, and the pool)."""
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
    items = []
    for n in nominations:
        warnings = []
        expert = experts.get(n.id_card)
        if expert is not None:
            warnings.append(f"此人已在专家库：{expert.code} {expert.name}（{expert.status}）")
        for other in others.get(n.id_card, []):
            if other.id != n.id:
                warnings.append(f"与{other.unit.name}的推荐#{other.id}重复（{other.status}）")
        items.append(
            QueueItem(
                n, [committees[c] for c in n.committee_ids if c in committees], warnings, expert
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
    nomination = _reviewable(session, nomination_id)
    chosen = list(dict.fromkeys(committee_ids or nomination.committee_ids))
    if not chosen:
        raise UserError("请至少选择一个评委会", field="committee_ids")
    not_nominated = [c for c in chosen if c not in nomination.committee_ids]
    if not_nominated:
        raise UserError("只能批准进入单位推荐的评委会", field="committee_ids")
    expert = session.scalar(select(Expert).where(Expert.id_card == nomination.id_card))
    created = expert is None
    if expert is None:
        expert = Expert(
            code=next_expert_code(session),
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
        session.add(expert)
        session.flush()
        session.add(
            StatusChange(
                expert_id=expert.id,
                old_status="待审核",
                new_status="在库",
                reason=f"推荐#{nomination.id}审核通过",
                by_user=actor.username,
                at=now,
            )
        )
    else:
        if expert.status in ("黑名单", "暂停"):
            raise UserError(
                f"此人已在专家库（{expert.code}），当前状态为“{expert.status}”，不能通过；"
                "如需恢复请先在专家档案中变更状态"
            )
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
    have = set(
        session.scalars(
            select(PoolMembership.committee_id).where(PoolMembership.expert_id == expert.id)
        )
    )
    for cid in chosen:
        if cid not in have:
            session.add(PoolMembership(committee_id=cid, expert_id=expert.id, since=now))
    nomination.status = "已通过"
    nomination.expert_id = expert.id
    nomination.reviewed_by = actor.username
    nomination.reviewed_at = now
    nomination.review_reason = ""
    audit.record(
        session,
        actor.username,
        actor.role,
        "nomination_review",
        f"推荐#{nomination.id}",
        {"decision": "通过", "expert": expert.code, "new_expert": created, "committees": chosen},
    )
    session.flush()
    return expert


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
        {"decision": status, "reason": reason},
    )
    session.flush()
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
