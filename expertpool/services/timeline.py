"""Every attempt, in time order, as sentences: what the regulator reads per meeting and per
season (commitments, second parts, draws compliant or not, redraw reasons, season runs and
their seeds, stores, voids and re-stores, declines, seals, abandoned commitments).

Taken from the hash-chained audit trail, so nothing that happened is missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.models import AuditEvent, Meeting
from expertpool.services.audit import ACTIONS

MEETING_ACTIONS = (
    "draw_commit",
    "draw_second_part",
    "draw_abandon",
    "draw",
    "season_draw",
    "panel_decline",
    "notice_deadline",
    "notice_template",
    "notice_send",
    "notice_reply",
    "panel_certificate",
    "panel_seal",
)
SEASON_ACTIONS = (
    "draw_commit",
    "draw_second_part",
    "draw_abandon",
    "season_draw",
    "season_store",
    "seed_waiver",
    "seed_waiver_off",
    "job_submit",
    "job_done",
    "job_failed",
)
_STATUS = {"drawn": "已抽出", "infeasible": "无合规名单"}
_SOURCE = {"supervisor": "监督人输入", "public": "公开随机来源", "waived": "已按年度设置关闭"}


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    action: str
    sentence: str
    event_id: int


def _short(value: Any, n: int = 16) -> str:
    text = str(value or "")
    return text if len(text) <= n else text[:n] + "…"


def _draw(d: dict[str, Any]) -> str:
    status = _STATUS.get(str(d.get("status")), str(d.get("status", "")))
    how = "年度联合抽取结果保存为本例会名单" if d.get("how") == "season" else "抽取"
    text = f"{how}：{status}，随机种子 {d.get('seed', '')}"
    if d.get("voided"):
        text += f"；作废此前的名单（编号{d['voided']}）"
    if d.get("reason"):
        text += f"；原因：{d['reason']}"
    return text


def _second(d: dict[str, Any]) -> str:
    source = _SOURCE.get(str(d.get("source")), str(d.get("source", "")))
    if d.get("source") == "waived":
        return (
            f"第二部分随机数已关闭（理由：{d.get('waiver', '')}），按种子 {d.get('seed', '')} 抽取"
        )
    note = f"，{d['note']}" if d.get("note") else ""
    return (
        f"监督人输入第二部分“{d.get('second', '')}”（{source}{note}），"
        f"种子为 {d.get('seed', '')}，第一部分随即公开"
    )


def _season_draw(d: dict[str, Any]) -> str:
    if "panel" in d:
        return _draw(d)
    return (
        f"年度联合抽取一次：{d.get('drawn', 0)}/{d.get('meetings', 0)}个例会抽出，"
        f"随机种子 {d.get('seed', '')}（仅记录，未保存为名单）"
    )


_CERT_HOW = {"draw": "抽取时", "redraw": "请辞补抽后", "backfill": "后台任务补发"}


def _certificate(d: dict[str, Any]) -> str:
    how = _CERT_HOW.get(str(d.get("how")), "")
    if d.get("error"):
        return f"{how}未能生成抽取证明（名单编号{d.get('panel', '')}）：{d['error']}"
    steps = "、".join("首次抽取" if s == 0 else f"第{s}次请辞后的补抽" for s in d.get("steps", []))
    hashes = "、".join(_short(h, 12) for h in d.get("sha256", []))
    return f"{how}生成抽取证明（名单编号{d.get('panel', '')}，{steps}；SHA-256 {hashes}）"


def _store(d: dict[str, Any]) -> str:
    text = f"保存年度联合抽取结果（{d.get('run', '')}），{len(d.get('meetings', []))}个例会"
    if d.get("why"):
        text += "；" + "；".join(d["why"])
    if d.get("reason"):
        text += f"；原因：{d['reason']}"
    return text


_KEYS = {
    "expert": "专家",
    "applicant": "申报人",
    "reason": "原因",
    "note": "说明",
    "panel": "名单编号",
    "field": "项目",
    "count": "数量",
    "status": "状态",
}


def _settings(d: dict[str, Any]) -> str:
    what = str(d.get("what") or "修改设置")
    rest = "，".join(
        f"{_KEYS.get(k, k)}：{_STATUS.get(str(v), v)}"
        for k, v in sorted(d.items())
        if k != "what" and not isinstance(v, dict | list)
    )
    return f"{what}（{rest}）" if rest else what


_OUTCOMES = {
    "notified": "已通知",
    "confirmed": "确认参加",
    "declined": "请辞",
    "unreachable": "未接通",
}
_CHANNELS = {"phone": "电话", "sms": "短信", "in_person": "当面", "gateway": "短信平台"}


def _notice(d: dict[str, Any]) -> str:
    channel = _CHANNELS.get(str(d.get("channel")), str(d.get("channel", "")))
    outcome = _OUTCOMES.get(str(d.get("outcome")), str(d.get("outcome", "")))
    note = f"（{d['note']}）" if d.get("note") else ""
    return f"{channel}联系{d.get('expert', '')}：{outcome}{note}"


_SENTENCES = {
    "draw_commit": lambda d: (
        f"发起{'年度联合抽取' if d.get('kind') == 'season' else '抽取'}，"
        f"公示承诺值 {_short(d.get('commitment'))}"
        + (f"；重新抽取原因：{d['reason']}" if d.get("reason") else "")
    ),
    "draw_second_part": _second,
    "draw_abandon": lambda d: (
        f"放弃抽取承诺（承诺值 {_short(d.get('commitment'))}）：{d.get('note', '')}"
    ),
    "draw": _draw,
    "season_draw": _season_draw,
    "season_store": _store,
    "seed_waiver": lambda d: f"关闭本年度第二部分随机数，理由：{d.get('reason', '')}",
    "seed_waiver_off": lambda d: "恢复本年度第二部分随机数",
    "job_submit": lambda d: "联合抽取交由后台任务进程进行（排队等候）",
    "job_done": lambda d: f"后台任务完成，联合抽取已记录（{d.get('result', '')}）",
    "job_failed": lambda d: f"后台任务失败：{d.get('error', '')}",
    "panel_decline": lambda d: (
        f"登记{d.get('expert', '')}请辞（{d.get('reason', '')}），"
        f"{'由' + str(d['by']) + ('备选递补' if d.get('how') == 'alternate' else '重新抽取补足') if d.get('by') else '无法递补'}"
    ),
    "notice_reply": _notice,
    "notice_template": lambda d: f"修改{d.get('committee', '')}的通知模板",
    "notice_send": lambda d: (
        f"生成{d.get('count', 0)}条通知，交由短信平台发送"
        if d.get("gateway")
        else f"生成{d.get('count', 0)}条通知（未配置短信平台，未发送，列入通话名单）"
    ),
    "notice_deadline": lambda d: (
        f"设定答复截止时间：{str(d.get('deadline', '')).replace('T', ' ')}"
    ),
    "panel_certificate": _certificate,
    "panel_seal": lambda d: f"锁定评委名单（{len(d.get('members', []))}名评委）",
    "panel_view": lambda d: f"查看{d.get('what', '评委名单')}",
    "panel_export": lambda d: f"导出{d.get('what', '')}",
    "settings": _settings,
}


def sentence(event: AuditEvent) -> str:
    """An audit event as one Chinese sentence (ids stay in the secondary column)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    make = _SENTENCES.get(event.action)
    if make is None:
        label = ACTIONS.get(event.action, event.action)
        return _settings({"what": label, **detail})
    return str(make(detail))


def _entries(events: list[AuditEvent]) -> list[Entry]:
    return [Entry(e.at, e.username, e.action, sentence(e), e.id) for e in events]


def meeting_timeline(session: Session, meeting: Meeting) -> list[Entry]:
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target == meeting.code, AuditEvent.action.in_(MEETING_ACTIONS))
        .order_by(AuditEvent.id)
    )
    return _entries(list(events))


def season_timeline(session: Session, year: int) -> list[Entry]:
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target == f"{year}年度", AuditEvent.action.in_(SEASON_ACTIONS))
        .order_by(AuditEvent.id)
    )
    return _entries(list(events))
