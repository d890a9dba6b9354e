"""Meeting settings kept by the office: dates, and the draw rules (only what differs from the
defaults is stored in `Meeting.settings`)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from expertpool.errors import UserError
from expertpool.models import Meeting, Panel
from expertpool.models.enums import RANKS, UNIT_KINDS
from expertpool.services import audit
from expertpool.services.packages import applicant_specialty_counts, effective_rules
from expertpool.services.panels.sealing import refuse_if_sealed
from solver.defaults import SENIOR_NARROW_SEATS, SENIOR_SEATS, default_rules


def update_dates(
    session: Session,
    meeting: Meeting,
    window_start: date,
    window_end: date,
    dossier_deadline: date,
    username: str,
    role: str,
) -> None:
    refuse_if_sealed(session, meeting)
    if window_end < window_start:
        raise UserError("例会结束日期不能早于开始日期", field="window_end")
    if dossier_deadline > window_start:
        raise UserError("报卷截止日期不能晚于例会开始日期", field="dossier_deadline")
    if window_start.year != meeting.year:
        raise UserError(f"例会应在{meeting.year}年内举行", field="window_start")
    before = {
        "window": [meeting.window_start.isoformat(), meeting.window_end.isoformat()],
        "dossier_deadline": meeting.dossier_deadline.isoformat(),
    }
    meeting.window_start = window_start
    meeting.window_end = window_end
    meeting.dossier_deadline = dossier_deadline
    session.flush()
    audit.record(
        session,
        username,
        role,
        "settings",
        meeting.code,
        {
            "what": "例会时间",
            "before": before,
            "after": {
                "window": [window_start.isoformat(), window_end.isoformat()],
                "dossier_deadline": dossier_deadline.isoformat(),
            },
        },
    )


class SettingsError(UserError):
    """Several fields of the rule settings form are wrong; `errors` maps field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("抽取规则设置有误，请按提示修改：" + "；".join(errors.values()))
        self.errors = errors


_FRACTION_RE = re.compile(r"^\s*([0-9]{1,4})\s*/\s*([0-9]{1,4})\s*$")
RULE_FIELDS = (
    "panel_size",
    "alternates",
    "min_rank",
    "min_full_senior_share",
    "max_per_unit",
    "min_per_unit_kind",
    "specialty_demand",
    "recuse_same_unit",
    "min_voters_share",
    "min_specialist_voters",
    "max_consecutive_years",
)


def level_defaults(meeting: Meeting, panel_size: int | None = None) -> dict[str, Any]:
    """The defaults for this meeting (given a panel size; the default size when None)."""
    c = meeting.committee
    return default_rules(c.level, panel_size, applicant_specialty_counts(meeting), c.narrow)


def parse_rule_form(meeting: Meeting, form: dict[str, str]) -> dict[str, Any]:
    """Read the rule settings form (text values) into a complete rules object; SettingsError."""
    errors: dict[str, str] = {}

    def integer(
        key: str, label: str, *, minimum: int, maximum: int, blank_none: bool = False
    ) -> int | None:
        text = (form.get(key) or "").strip()
        if not text:
            if blank_none:
                return None
            errors[key] = f"{label}不能为空"
            return None
        if not (text.isascii() and text.isdigit()):  # '²' is a digit to isdigit, not to int
            errors[key] = f"{label}应为整数"
            return None
        value = int(text)
        if not minimum <= value <= maximum:
            errors[key] = f"{label}应在{minimum}到{maximum}之间"
            return None
        return value

    def fraction(key: str, label: str) -> str | None:
        text = (form.get(key) or "").strip()
        m = _FRACTION_RE.match(text)
        if not m:
            errors[key] = f"{label}应写成分数“a/b”，如 1/2"
            return None
        a, b = int(m.group(1)), int(m.group(2))
        if b == 0 or a > b:
            errors[key] = f"{label}应为0到1之间的分数（分母不为0，分子不大于分母）"
            return None
        return f"{a}/{b}"

    size = integer("panel_size", "评委人数", minimum=3, maximum=99)
    if size is not None and size % 2 == 0:
        errors["panel_size"] = "评委人数应为不小于3的单数"
        size = None
    rules: dict[str, Any] = {"panel_size": size}
    rules["alternates"] = integer("alternates", "备选专家人数", minimum=0, maximum=30)
    min_rank = (form.get("min_rank") or "").strip()
    if min_rank not in RANKS:
        errors["min_rank"] = f"最低职称应为{'、'.join(RANKS)}之一"
    rules["min_rank"] = min_rank
    rules["min_full_senior_share"] = fraction("min_full_senior_share", "正高级占比")
    rules["max_per_unit"] = integer(
        "max_per_unit", "同一单位评委上限", minimum=1, maximum=99, blank_none=True
    )
    kinds: dict[str, int] = {}
    for kind in UNIT_KINDS:
        value = integer(
            f"kind_{kind}", f"{kind}评委最少人数", minimum=0, maximum=99, blank_none=True
        )
        if value:
            kinds[kind] = value
    rules["min_per_unit_kind"] = kinds
    demand: dict[str, int] = {}
    for spec in meeting.committee.specialties:
        value = integer(
            f"spec_{spec}", f"{spec}评委最少人数", minimum=0, maximum=99, blank_none=True
        )
        if value:
            demand[spec] = value
    rules["specialty_demand"] = dict(sorted(demand.items()))
    rules["recuse_same_unit"] = (form.get("recuse_same_unit") or "") in ("y", "on", "1", "true")
    rules["min_voters_share"] = fraction("min_voters_share", "表决基数")
    rules["min_specialist_voters"] = integer(
        "min_specialist_voters", "同专业表决评委人数", minimum=0, maximum=99
    )
    rules["max_consecutive_years"] = integer(
        "max_consecutive_years", "连续任职年限", minimum=1, maximum=20, blank_none=True
    )
    if size is not None and not errors:
        if sum(kinds.values()) > size:
            errors["min_per_unit_kind"] = "各类单位最少人数之和超过评委人数"
        if sum(demand.values()) > size * 3:
            errors["specialty_demand"] = "各专业最少人数明显超过评委人数"
        for key in ("max_per_unit", "min_specialist_voters"):
            if rules[key] is not None and rules[key] > size:
                errors[key] = "不能超过评委人数"
    if errors:
        raise SettingsError(errors)
    return rules


def settings_diff(meeting: Meeting, rules: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the defaults (the defaults follow the chosen panel size)."""
    size = rules["panel_size"]
    base = level_defaults(meeting)
    sized = level_defaults(meeting, size)
    diff: dict[str, Any] = {}
    if size != base["panel_size"]:
        diff["panel_size"] = size
    for key in RULE_FIELDS:
        if key == "panel_size":
            continue
        if rules.get(key) != sized.get(key):
            diff[key] = rules.get(key)
    return diff


RULE_LABELS = {
    "panel_size": "评委人数",
    "alternates": "备选专家人数",
    "min_rank": "最低职称",
    "min_full_senior_share": "正高级占比",
    "max_per_unit": "同一单位评委上限",
    "min_per_unit_kind": "各类单位最少评委人数",
    "specialty_demand": "各专业最少评委人数",
    "recuse_same_unit": "同单位回避",
    "min_voters_share": "表决评委占比",
    "min_specialist_voters": "同专业表决评委人数",
    "max_consecutive_years": "连续任职年数上限",
}


def _rule_text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "、".join(f"{k}{v}" for k, v in sorted(value.items())) or "无"
    return "不限" if value is None else str(value)


def rule_notes(panel: Panel) -> list[str]:
    """For the regulator: where the rules a panel was drawn under differ from the defaults,
    and a panel size below the minimum of 人社部令第40号 (25 for a committee formed by series,
    11 by specialty; provinces may adjust it, so it is shown, not refused)."""
    stored = json.loads(panel.package_json)
    rules = stored.get("rules", {})
    if not isinstance(rules.get("panel_size"), int):
        return []
    committee = panel.meeting.committee
    # The defaults as they were for this draw: from the applicants in its own package.
    counts = Counter(a.get("specialty") for a in stored.get("applicants", []))

    def defaults(size: int | None) -> dict[str, Any]:
        return default_rules(committee.level, size, dict(counts), committee.narrow)

    base, sized = defaults(None), defaults(rules["panel_size"])
    notes = []
    for key in RULE_FIELDS:
        default = base.get(key) if key == "panel_size" else sized.get(key)
        if rules.get(key) != default:
            label = RULE_LABELS.get(key, key)
            notes.append(
                f"{label}：本次为{_rule_text(rules.get(key))}，默认为{_rule_text(default)}"
            )
    if committee.level == "senior":
        minimum = SENIOR_NARROW_SEATS if committee.narrow else SENIOR_SEATS
        if rules["panel_size"] < minimum:
            formed = "按专业" if committee.narrow else "按系列"
            notes.append(
                f"评委人数{rules['panel_size']}人，少于人社部令第40号对{formed}组建的高级评审委员会"
                f"规定的{minimum}人（各省可调整，请核实依据）"
            )
    return notes


def _same_fraction(a: Any, b: Any) -> bool:
    try:
        return Fraction(str(a)) == Fraction(str(b))
    except (ValueError, ZeroDivisionError):
        return False


def save_rule_settings(
    session: Session, meeting: Meeting, form: dict[str, str], username: str, role: str
) -> dict[str, Any]:
    """Validate the form and store only the differences from the defaults in Meeting.settings."""
    refuse_if_sealed(session, meeting)
    rules = parse_rule_form(meeting, form)
    diff = settings_diff(meeting, rules)
    for key in ("min_full_senior_share", "min_voters_share"):
        if key in diff and _same_fraction(
            diff[key], level_defaults(meeting, rules["panel_size"])[key]
        ):
            del diff[key]
    before = dict(meeting.settings or {})
    meeting.settings = diff
    session.flush()
    audit.record(
        session,
        username,
        role,
        "settings",
        meeting.code,
        {"what": "抽取规则", "before": before, "after": diff},
    )
    return effective_rules(meeting)
