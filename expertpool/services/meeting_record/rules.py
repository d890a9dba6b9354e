"""The meeting's vote rules (draw-format.md §5 `rules`) and the committee's 评聘 mode.

Defaults, each with its source (shared/docs/rule-sources.md): quorum 2/3 and pass 2/3 from
人社部令第40号; the pass-rate cap 1/2 for a senior committee under 评聘分开 from
大人社发〔2024〕45号 五(二) (评聘结合: within the post-structure ratio, no number here)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Committee, Meeting, ReviewMode
from expertpool.services import audit

SEPARATE = "评聘分开"
COMBINED = "评聘结合"
REVIEW_MODES = (SEPARATE, COMBINED)

MODE_SOURCE = (
    "大人社发〔2024〕45号 五(二)：实行“评聘分开”系列的高级职称评审通过率原则上不超过50%，"
    "实行“评聘结合”的系列（专业）应在岗位结构比例内开展评审或按比例推荐"
)
SOURCES = {
    "quorum_share": "人社部令第40号：评审会议须有三分之二以上评审专家出席（条款原文未存档，默认值）",
    "pass_share": "人社部令第40号：同意票数达到出席评审专家总数三分之二以上方为通过（含本数）",
    "max_pass_rate": "大人社发〔2024〕45号 五(二)：评聘分开系列高级职称评审通过率原则上不超过50%",
    "pass_rate_counts": "大人社发〔2024〕45号 二(二)：高技能人才单独分组、单独评审；本系统默认计入通过率",
}
LABELS = {
    "quorum_share": "出席法定人数",
    "pass_share": "通过所需同意票",
    "max_pass_rate": "通过率上限",
    "pass_rate_counts": "通过率计算范围",
}


@dataclass(frozen=True)
class Mode:
    mode: str
    is_default: bool
    set_by: str = ""

    @property
    def text(self) -> str:
        return f"{self.mode}（{'系统默认' if self.is_default else '市人社局设定'}）"


def default_mode(committee: Committee) -> str:
    return SEPARATE if committee.level == "senior" else COMBINED


def review_mode(session: Session, committee: Committee) -> Mode:
    row = session.scalar(select(ReviewMode).where(ReviewMode.committee_id == committee.id))
    if row is None:
        return Mode(default_mode(committee), True)
    return Mode(row.mode, False, row.set_by)


def set_review_mode(session: Session, committee: Committee, mode: str, actor: Actor) -> Mode:
    if actor.role != "bureau":
        raise UserError("只有市人社局可以设定评聘方式", field="mode")
    if mode not in REVIEW_MODES:
        raise UserError("评聘方式应为“评聘分开”或“评聘结合”", field="mode")
    row = session.scalar(select(ReviewMode).where(ReviewMode.committee_id == committee.id))
    before = review_mode(session, committee).mode
    if row is None:
        row = ReviewMode(committee_id=committee.id, mode=mode)
        session.add(row)
    row.mode, row.set_by = mode, actor.username
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "review_mode",
        committee.name,
        {"before": before, "after": mode},
    )
    return review_mode(session, committee)


def meeting_rules(session: Session, meeting: Meeting) -> dict[str, str | None]:
    """The `rules` object of the meeting's record (fractions as "a/b")."""
    mode = review_mode(session, meeting.committee).mode
    capped = meeting.committee.level == "senior" and mode == SEPARATE
    return {
        "quorum_share": "2/3",
        "pass_share": "2/3",
        "max_pass_rate": "1/2" if capped else None,
        "pass_rate_counts": "all",
    }


def fraction(text: str | None) -> Fraction | None:
    if text is None:
        return None
    a, b = text.split("/")
    return Fraction(int(a), int(b))
