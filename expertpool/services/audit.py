"""The audit trail: append-only events chained by SHA-256, signed with a key kept outside
the database, and a check of the chain.

Each event's hash covers its own fields and the previous event's hash, so changing,
deleting or inserting a row behind the app's back breaks the chain at that row. The hashes
alone can be recomputed by anyone who can write the database; each event's HMAC and the
head's HMAC (expertpool.audit_key) cannot without the key, so a rewrite is seen at its first
event and a head reset after deleting the last events is seen at the head. What the key does
not stop (the whole database rolled back to an earlier copy, head and all) shows against the
head printed on any export made since (`HeadMark`, `verify_chain(..., against=...)`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.audit_key import (
    AuditKeyError,
    AuditUnavailable,
    event_mac,
    head_mac,
    load_key,
    same,
)
from expertpool.errors import UserError
from expertpool.models import AuditEvent, AuditHead, utcnow

GENESIS = "0" * 64

ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "nomination_submit": "提交推荐",
    "nomination_review": "审核推荐",
    "expert_status": "变更专家状态",
    "draw": "抽取评委",
    "panel_view": "查看评委名单",
    "panel_export": "导出评委名单",
    "pool_export": "导出专家库",
    "panel_decline": "登记评委请辞",
    "panel_seal": "锁定评委名单",
    "panel_no_show": "登记缺席",
    "notice_reply": "登记通知与答复",
    "notice_deadline": "设定答复截止时间",
    "notice_template": "修改通知模板",
    "notice_send": "生成通知（通话名单）",
    "notice_sms_sent": "短信通知已发送",
    "notice_sms_failed": "短信通知发送失败",
    "panel_certificate": "生成抽取证明",
    "season_draw": "年度联合抽取",
    "season_store": "保存年度联合抽取结果",
    "draw_commit": "发起抽取（公示承诺值）",
    "draw_second_part": "监督人输入第二部分随机数",
    "draw_abandon": "放弃抽取承诺",
    "seed_waiver": "关闭第二部分随机数",
    "seed_waiver_off": "恢复第二部分随机数",
    "job_submit": "提交后台任务",
    "job_done": "后台任务完成",
    "job_failed": "后台任务失败",
    "replay": "复核抽取",
    "settings": "修改设置",
    "import": "导入数据",
    "user": "账户管理",
    "user_create": "新建账户",
    "user_disable": "停用账户",
    "user_enable": "启用账户",
    "user_passwd": "修改密码",
    "meeting_view": "查看例会记录",
    "meeting_attendance": "登记到会评委",
    "meeting_votes": "登记表决结果",
    "meeting_close": "结束例会记录",
    "meeting_reopen": "重新打开例会记录",
    "meeting_filed": "例会备案",
    "review_mode": "修改评审方式",
    "work_calendar": "修改工作日历",
    "year_open": "开启工作年度",
    "year_committee_add": "新增评委会",
    "year_committee_edit": "修改评委会",
    "year_committee_retire": "停用评委会",
    "year_table_import": "导入年度评委会表",
}


def _digest(
    prev_hash: str,
    at: datetime,
    username: str,
    role: str,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), username, role, action, target, detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class _Head:
    """The head as locked for one append: its row and the key that signs the new event."""

    def __init__(self, row: AuditHead, key: bytes) -> None:
        self.row = row
        self.key = key


def _lock_head(session: Session) -> _Head:
    """Take the chain's head under lock: a write first (the lock), then the read. The bump
    makes `seq` the new event's position; a concurrent append waits on this row (PostgreSQL)
    or on the database's write lock (SQLite) until this transaction ends."""
    bumped = cast(
        CursorResult[Any],
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)),
    )
    if bumped.rowcount == 0:
        _recreate_empty_head(session)
    head = session.get(AuditHead, 1, populate_existing=True)
    assert head is not None
    # The key is made on its first use only, when nothing has been signed yet.
    key = load_key(create=head.seq == 1)
    _check_head(head, key)
    return _Head(head, key)


def _check_head(head: AuditHead, key: bytes) -> None:
    """Append only onto a head this system signed: signing a new event onto a head reset
    behind the app's back would make the cut-short chain look whole from then on."""
    before = head.seq - 1  # the bump has already counted the new event
    if before == 0 and head.last_hash == GENESIS:
        return
    if not same(head.mac, head_mac(key, before, head.last_hash)):
        raise AuditUnavailable(
            "审计链头的密钥签名不符，拒绝追加审计记录（本次操作未保存）：审计链可能被截短或改写，"
            "请运行 expertpool audit verify 并与此前导出文件上的审计链头核对"
        )


def _recreate_empty_head(session: Session) -> None:
    """A new (or wiped) database without its head row. Rebuilding the head of a non-empty
    trail from the trail itself would bless a trail cut short, so that is refused."""
    try:
        with session.begin_nested():
            session.add(AuditHead(id=1, seq=1, last_hash=GENESIS))
    except IntegrityError:  # another writer made it first: queue behind its lock
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
        return
    # This writer made the head (and holds it): events without a head mean it was deleted.
    # (A writer that made it concurrently commits its head with its event, so never this.)
    if session.scalars(select(AuditEvent.id).limit(1)).first() is not None:
        raise AuditUnavailable(
            "审计链头记录缺失，拒绝追加审计记录：链头可能被删除，请运行 expertpool audit verify "
            "并与此前导出文件上的审计链头核对"
        )


def _advance_head(session: Session, head: _Head, prev: str, event_hash: str) -> None:
    """Move the head to the new event, on the condition that nobody moved it meanwhile (the
    lock makes that so; the row count proves it)."""
    seq = head.row.seq
    moved = cast(
        CursorResult[Any],
        session.execute(
            update(AuditHead)
            .where(AuditHead.id == 1, AuditHead.seq == seq, AuditHead.last_hash == prev)
            .values(last_hash=event_hash, mac=head_mac(head.key, seq, event_hash))
            .execution_options(synchronize_session=False)
        ),
    )
    if moved.rowcount != 1:
        raise UserError("审计链头在追加时被改动，本次操作未保存，请重试")
    session.expire(head.row)


def record(
    session: Session,
    username: str,
    role: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the work)."""
    detail = detail or {}
    head = _lock_head(session)
    prev = head.row.last_hash
    seq = head.row.seq
    at = utcnow()
    event_hash = _digest(prev, at, username, role, action, target, detail)
    event = AuditEvent(
        at=at,
        username=username,
        role=role,
        action=action,
        target=target,
        detail=detail,
        prev_hash=prev,
        hash=event_hash,
        mac=event_mac(head.key, seq, event_hash),
    )
    session.add(event)
    session.flush()
    _advance_head(session, head, prev, event_hash)
    return event


@dataclass(frozen=True)
class HeadMark:
    """The chain's head as printed on an export: the number of events and the last hash."""

    seq: int
    hash: str

    def text(self) -> str:
        return f"{self.seq}:{self.hash}"

    def label(self) -> str:
        """As printed: the count, then the value `expertpool audit verify --head` takes."""
        return f"第 {self.seq} 条记录　{self.text()}"


def current_head(session: Session) -> HeadMark:
    """The head for an export, read in the exporting transaction after its own audit event
    (so the mark names that very event)."""
    session.flush()
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        return HeadMark(0, GENESIS)
    return HeadMark(head.seq, head.last_hash)


_MARK = re.compile(r"([0-9]{1,12}):([0-9a-fA-F]{64})")


def parse_mark(text: str) -> HeadMark:
    """`SEQ:HASH` as printed on an export; anything else is refused with one message."""
    found = _MARK.fullmatch(text.strip())
    if found is None or (int(found.group(1)) == 0 and found.group(2) != GENESIS):
        raise UserError(
            "审计链头的格式应为“序号:哈希”，序号为整数，哈希为64位十六进制，"
            "例如 128:3f5a…（照抄导出文件上的审计链头）",
            field="head",
        )
    return HeadMark(int(found.group(1)), found.group(2).lower())


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    broken_at: int | None  # id of the first event that does not hold (None: the head)
    message: str
    head: HeadMark | None = None  # the current head, when the chain holds
    unchecked: bool = False  # not checked at all (the key is missing)


def verify_chain(session: Session, against: HeadMark | None = None) -> ChainReport:
    """Walk the whole trail: the public hashes, each event's keyed signature and the head's;
    with `against` (a head printed on an earlier export) also that the trail still holds that
    event unchanged. Raises AuditKeyError when signed events exist but the key is missing."""
    key: bytes | None = None
    prev = GENESIS
    n = 0
    for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        n += 1
        key = key or load_key(create=False)
        bad = _bad_event(ev, n, prev, key)
        if bad is None and against is not None and n == against.seq and ev.hash != against.hash:
            bad = f"第 {n} 条记录（第 {ev.id} 号）与导出文件上的审计链头不同：审计链被改写"
        if bad is not None:
            return ChainReport(False, n, ev.id, bad)
        prev = ev.hash
    head = session.get(AuditHead, 1)
    problem = _bad_head(head, n, prev, key)
    if problem is None and against is not None and against.seq > n:
        problem = (
            f"审计链现只有 {n} 条记录，少于导出文件上的第 {against.seq} 条："
            f"第 {n} 条之后的记录已被删除"
        )
    if problem is not None:
        return ChainReport(False, n, None, problem)
    mark = HeadMark(n, prev)
    checked = f"，与导出文件上的第 {against.seq} 条记录一致" if against is not None else ""
    return ChainReport(True, n, None, f"审计链完整，共 {n} 条记录{checked}", mark)


def _bad_event(ev: AuditEvent, n: int, prev: str, key: bytes) -> str | None:
    expected = _digest(prev, ev.at, ev.username, ev.role, ev.action, ev.target, ev.detail)
    if ev.prev_hash != prev or ev.hash != expected:
        return f"审计链在第 {ev.id} 号记录处断开：该记录或其前一条记录被改动、删除或插入"
    if not same(ev.mac, event_mac(key, n, ev.hash)):
        return (
            f"第 {ev.id} 号记录的密钥签名不符：该记录被改写或插入（不掌握审计密钥，"
            "按本系统算法重算哈希也无法伪造签名），或所用审计密钥不是本系统的密钥"
        )
    return None


def _bad_head(head: AuditHead | None, n: int, prev: str, key: bytes | None) -> str | None:
    if n == 0:  # nothing signed yet; a trail wiped whole shows against any earlier export
        return None
    if head is None:
        return "审计链头记录缺失：链头被删除"
    if head.seq != n or head.last_hash != prev:
        return "审计链末端与链头记录不一致：最后的记录被删除或改动"
    assert key is not None
    if not same(head.mac, head_mac(key, head.seq, head.last_hash)):
        return (
            f"审计链头的密钥签名不符：第 {n} 条记录之后的记录可能被删除，链头被重置；"
            "请与此前导出文件上的审计链头核对"
        )
    return None


def check(session: Session, head_text: str = "") -> tuple[ChainReport, str]:
    """The check behind the regulator's page: the report, and a message for a bad `head_text`
    (the chain is then checked without it). A missing key is a report, not an error page."""
    problem = ""
    against = None
    if head_text.strip():
        try:
            against = parse_mark(head_text)
        except UserError as exc:
            problem = exc.message
    try:
        return verify_chain(session, against=against), problem
    except AuditKeyError as exc:
        return ChainReport(False, 0, None, exc.message, unchecked=True), problem
