"""The meeting's vote rules (draw-format.md §5 `rules`) and the committee's 评聘 mode.

Defaults, each with its source (shared/docs/rule-sources.md): quorum 2/3 and pass 2/3 from
人社部令第40号; the pass-rate cap 1/2 for a senior committee under 评聘分开 from
大人社发〔2024〕45号 五(二) (评聘结合: within the post-structure ratio, no number here)."""

from __future__ import annotations

from collections.abc import Mapping
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


RULES_KEY = "meeting_rules"  # Meeting.settings[RULES_KEY]: the office's changes to the defaults
RULE_KEYS = ("quorum_share", "pass_share", "max_pass_rate", "pass_rate_counts")
COUNTS = {"all": "全部申报人", "excluding_groups": "不含单独分组"}


def default_rules(session: Session, meeting: Meeting) -> dict[str, str | None]:
    """The system defaults for this meeting (the cap follows the committee's 评聘 mode)."""
    mode = review_mode(session, meeting.committee).mode
    capped = meeting.committee.level == "senior" and mode == SEPARATE
    return {
        "quorum_share": "2/3",
        "pass_share": "2/3",
        "max_pass_rate": "1/2" if capped else None,
        "pass_rate_counts": "all",
    }


def stored_rules(meeting: Meeting) -> dict[str, str | None]:
    stored = (meeting.settings or {}).get(RULES_KEY) or {}
    return {k: v for k, v in stored.items() if k in RULE_KEYS}


def meeting_rules(session: Session, meeting: Meeting) -> dict[str, str | None]:
    """The `rules` object of the meeting's record (fractions as "a/b"): the defaults with
    the office's stored changes."""
    return default_rules(session, meeting) | stored_rules(meeting)


def rule_text(key: str, value: str | None) -> str:
    if key == "pass_rate_counts":
        return COUNTS.get(str(value), str(value))
    return "不设" if value is None else str(value)


def _share(key: str, text: str, blank_ok: bool) -> str | None:
    text = text.strip().replace("／", "/")
    if not text and blank_ok:
        return None
    a, _, b = text.partition("/")
    if not b:
        a, b = text, "1"
    if not (a.strip().isdigit() and b.strip().isdigit()) or int(b) == 0:
        blank = "，留空表示不设" if blank_ok else ""
        raise UserError(f"{LABELS[key]}应为“a/b”形式的分数（如 2/3）{blank}", field=key)
    value = Fraction(int(a), int(b))
    if not 0 < value <= 1:
        raise UserError(f"{LABELS[key]}应大于0且不超过1（如 2/3）", field=key)
    return f"{value.numerator}/{value.denominator}"


def parse_rules(form: Mapping[str, str]) -> dict[str, str | None]:
    """The rules form (text) as a rules object; a UserError naming the first bad field."""
    out: dict[str, str | None] = {
        "quorum_share": _share("quorum_share", form.get("quorum_share", ""), False),
        "pass_share": _share("pass_share", form.get("pass_share", ""), False),
        "max_pass_rate": _share("max_pass_rate", form.get("max_pass_rate", ""), True),
    }
    counts = form.get("pass_rate_counts", "").strip()
    if counts not in COUNTS:
        raise UserError(
            f"{LABELS['pass_rate_counts']}应为“全部申报人”或“不含单独分组”",
            field="pass_rate_counts",
        )
    out["pass_rate_counts"] = counts
    return out


def store_rules(
    session: Session, meeting: Meeting, rules: Mapping[str, str | None], actor: Actor
) -> dict[str, str | None]:
    """Keep only what differs from the defaults in Meeting.settings; audited before/after."""
    before = meeting_rules(session, meeting)
    defaults = default_rules(session, meeting)
    diff = {k: rules[k] for k in RULE_KEYS if rules[k] != defaults[k]}
    settings = {k: v for k, v in (meeting.settings or {}).items() if k != RULES_KEY}
    if diff:
        settings[RULES_KEY] = diff
    meeting.settings = settings
    session.flush()
    after = meeting_rules(session, meeting)
    audit.record(
        session,
        actor.username,
        actor.role,
        "settings",
        meeting.code,
        {"what": "表决规则", "before": before, "after": after},
    )
    return after


@dataclass(frozen=True)
class RuleRow:
    key: str
    label: str
    value: str | None
    default: str | None
    source: str

    @property
    def value_text(self) -> str:
        return rule_text(self.key, self.value)

    @property
    def default_text(self) -> str:
        return rule_text(self.key, self.default)

    @property
    def is_default(self) -> bool:
        return self.value == self.default


def rule_rows(session: Session, meeting: Meeting) -> list[RuleRow]:
    """The rules form as plain data: current value, default and source of each rule."""
    current, defaults = meeting_rules(session, meeting), default_rules(session, meeting)
    return [RuleRow(k, LABELS[k], current[k], defaults[k], SOURCES[k]) for k in RULE_KEYS]


def fraction(text: str | None) -> Fraction | None:
    if text is None:
        return None
    a, b = text.split("/")
    return Fraction(int(a), int(b))
