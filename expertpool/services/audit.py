"""The audit trail: append-only events chained by SHA-256, and a check of the chain.

Each event's hash covers its own fields and the previous event's hash, so changing,
deleting or inserting a row behind the app's back breaks the chain at that row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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


def _lock_head(session: Session) -> AuditHead:
    """Take the chain's head under lock: a write first (the lock), then the read."""
    bumped = cast(
        CursorResult[Any],
        session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)),
    )
    if bumped.rowcount == 0:  # a wiped or hand-made database: rebuild the head from the trail
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
        count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        try:
            with session.begin_nested():
                session.add(
                    AuditHead(id=1, seq=count + 1, last_hash=last.hash if last else GENESIS)
                )
        except IntegrityError:  # another writer made it first: queue behind its lock
            session.execute(
                update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
            )
    head = session.get(AuditHead, 1, populate_existing=True)
    assert head is not None
    return head


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
    prev = head.last_hash
    at = utcnow()
    event = AuditEvent(
        at=at,
        username=username,
        role=role,
        action=action,
        target=target,
        detail=detail,
        prev_hash=prev,
        hash=_digest(prev, at, username, role, action, target, detail),
    )
    session.add(event)
    head.last_hash = event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    broken_at: int | None  # id of the first event whose hash does not hold
    message: str


def verify_chain(session: Session) -> ChainReport:
    prev = GENESIS
    n = 0
    for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        n += 1
        expected = _digest(prev, ev.at, ev.username, ev.role, ev.action, ev.target, ev.detail)
        if ev.prev_hash != prev or ev.hash != expected:
            return ChainReport(
                False,
                n,
                ev.id,
                f"审计链在第 {ev.id} 号记录处断开：该记录或其前一条记录被改动、删除或插入",
            )
        prev = ev.hash
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        return ChainReport(False, n, None, "审计链末端与链头记录不一致：最后的记录被删除或改动")
    return ChainReport(True, n, None, f"审计链完整，共 {n} 条记录")
