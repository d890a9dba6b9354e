"""Meeting settings kept by the office: dates, and the draw rules (only what differs from the
defaults is stored in `Meeting.settings`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import Meeting, Panel
from expertpool.services import audit
from expertpool.services.packages import (
    applicant_specialty_counts,
    effective_rules,
    pool_experts,
    review_groups,
)
from expertpool.services.panels.sealing import refuse_if_sealed
from expertpool.validators import has_control_characters
from solver import registry
from solver.defaults import SENIOR_NARROW_SEATS, SENIOR_SEATS, default_rules
from solver.params import RANKS, UNIT_KINDS, Param, PoolExpert


def update_dates(
    session: Session,
    meeting: Meeting,
    window_start: date,
    window_end: date,
    dossier_deadline: date,
    actor: Actor,
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
        actor.username,
        actor.role,
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


# Every key of a package's `rules`, in form order, and its Chinese label (solver/registry.py).
RULE_FIELDS: tuple[str, ...] = tuple(p.key for p in registry.PARAMS)
RULE_LABELS: dict[str, str] = registry.LABELS


def level_defaults(meeting: Meeting, panel_size: int | None = None) -> dict[str, Any]:
    """The defaults for this meeting (given a panel size; the default size when None)."""
    c = meeting.committee
    return default_rules(c.level, panel_size, applicant_specialty_counts(meeting), c.narrow)


def pool_facts(session: Session, meeting: Meeting) -> tuple[PoolExpert, ...]:
    """The committee's pool as the rules' save-time checks read it (a superset of those who
    may sit, so what it cannot meet no draw can)."""
    return tuple(
        PoolExpert(e.unit.uscc, e.unit.kind, e.rank, tuple(sorted(set(e.specialties))))
        for e in pool_experts(session, meeting.committee)
    )


def parse_rule_form(
    meeting: Meeting, form: Mapping[str, str], pool: Sequence[PoolExpert] | None = None
) -> dict[str, Any]:
    """Read the rule settings form (text values) into a complete rules object; SettingsError.
    With `pool`, a setting the pool can never meet is refused too (messages name numbers)."""
    specialties = tuple(meeting.committee.specialties)
    _refuse_control_characters(form, specialties)
    context = registry.FormContext(specialties=specialties, pool=pool)
    rules, errors = registry.parse_form(form, context)
    if errors:
        raise SettingsError(errors)
    return rules


def _refuse_control_characters(form: Mapping[str, str], specialties: Sequence[str]) -> None:
    """A control character in an input is named by the rule's label (the web form checks
    its own fields, so the office keeps its typing instead of getting a 400 page)."""
    errors: dict[str, str] = {}
    for p in registry.PARAMS:
        for name, label in _input_names(p, specialties):
            if has_control_characters(form.get(name, "")):
                where = f"{p.label_zh}（{label}）" if label else p.label_zh
                errors[name] = f"“{where}”含有不可见的控制字符，请删除后重新输入"
    if errors:
        raise SettingsError(errors)


def _default_for(key: str, base: Mapping[str, Any], sized: Mapping[str, Any]) -> Any:
    """A key's default: the panel size from the level, the rest for the chosen size."""
    return base.get(key) if key == "panel_size" else sized.get(key)


def settings_diff(meeting: Meeting, rules: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the defaults (the defaults follow the chosen panel size)."""
    base = level_defaults(meeting)
    sized = level_defaults(meeting, rules["panel_size"])
    return {
        key: rules.get(key)
        for key in RULE_FIELDS
        if rules.get(key) != _default_for(key, base, sized)
    }


def rule_text(value: Any) -> str:
    """A rule's value in Chinese (None: the rule does not apply)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict) and set(value) == {"age", "share"}:
        return f"{value['age']}岁以下不少于{value['share']}"
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
    counts = dict(Counter(a.get("specialty") for a in stored.get("applicants", [])))
    base = default_rules(committee.level, None, counts, committee.narrow)
    sized = default_rules(committee.level, rules["panel_size"], counts, committee.narrow)
    notes = []
    for key in RULE_FIELDS:
        default = _default_for(key, base, sized)
        if rules.get(key) != default:
            label = RULE_LABELS.get(key, key)
            notes.append(f"{label}：本次为{rule_text(rules.get(key))}，默认为{rule_text(default)}")
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
    session: Session, meeting: Meeting, form: Mapping[str, str], actor: Actor
) -> dict[str, Any]:
    """Validate the form and store only the differences from the defaults in Meeting.settings."""
    refuse_if_sealed(session, meeting)
    rules = parse_rule_form(meeting, form, pool_facts(session, meeting))
    diff = settings_diff(meeting, rules)
    sized = level_defaults(meeting, rules["panel_size"])
    for p in registry.PARAMS:  # "2/4" for a default of "1/2" is the default
        if (
            p.widget == "fraction"
            and p.key in diff
            and _same_fraction(diff[p.key], sized.get(p.key))
        ):
            del diff[p.key]
    groups = _groups_of_form(meeting, form, rules)
    before = dict(meeting.settings or {})
    kept = {k: v for k, v in before.items() if k == "meeting_rules"}  # the vote rules stay
    before.pop("meeting_rules", None)
    if groups:
        diff["groups"] = groups
    meeting.settings = diff | kept
    session.flush()
    audit.record(
        session,
        actor.username,
        actor.role,
        "settings",
        meeting.code,
        {"what": "抽取规则", "before": before, "after": diff},
    )
    return effective_rules(meeting)


# -- review groups (评议组 → specialties), set beside the rules ------------------------------

GROUPS_INPUT = "groups"
MAX_GROUP_NAME = 40


def groups_text(groups: Mapping[str, Sequence[str]]) -> str:
    """The form's text of a groups map: one line per group, “组名：专业、专业”."""
    return "\n".join(f"{name}：{'、'.join(specs)}" for name, specs in groups.items())


def parse_groups_text(text: str, specialties: Sequence[str]) -> dict[str, list[str]]:
    """The form's text → {group: sorted specialties}; SettingsError naming the line."""
    out: dict[str, list[str]] = {}
    for number, raw in enumerate(text.replace("\r", "").split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        name, sep, rest = line.replace(":", "：").partition("：")
        name = name.strip()
        specs = sorted({s.strip() for s in rest.replace(",", "、").replace("，", "、").split("、")})
        specs = [s for s in specs if s]
        problem = _group_line_problem(name, sep, specs, specialties, out)
        if problem:
            raise SettingsError({GROUPS_INPUT: f"评议组第{number}行{problem}"})
        out[name] = specs
    return dict(sorted(out.items()))


def _group_line_problem(
    name: str, sep: str, specs: list[str], specialties: Sequence[str], seen: Mapping[str, Any]
) -> str:
    if not sep or not name or not specs:
        return "应写成“组名：专业、专业”"
    if len(name) > MAX_GROUP_NAME:
        return f"组名不能超过{MAX_GROUP_NAME}个字"
    if not name.isprintable():
        return "组名含有不可见字符"
    if name in seen:
        return f"评议组“{name}”重复"
    unknown = [s for s in specs if s not in specialties]
    if unknown:
        return f"专业“{unknown[0]}”不是本评委会的专业"
    return ""


def _groups_of_form(
    meeting: Meeting, form: Mapping[str, str], rules: Mapping[str, Any]
) -> dict[str, list[str]]:
    """The groups the form sets (a form without the input keeps the stored ones). With the
    评议组 rule on, every group an applicant names must be listed: the draw needs it."""
    if GROUPS_INPUT in form:
        groups = parse_groups_text(form[GROUPS_INPUT], meeting.committee.specialties)
    else:
        groups = review_groups(meeting)
    if rules.get("min_group_members"):
        named = sorted({a.review_group for a in meeting.applicants if a.review_group})
        missing = [g for g in named if g not in groups]
        if missing:
            raise SettingsError(
                {
                    GROUPS_INPUT: f"申报人的评议组“{missing[0]}”未列出其专业（设置评议组人数时须列出）"
                }
            )
    return groups


def groups_form_text(meeting: Meeting) -> str:
    return groups_text(review_groups(meeting))


# -- the office's rule form, as plain data for the template (web views never import solver) --


@dataclass(frozen=True)
class FormInput:
    """One input of the rule form: its name (also its id), the text beside it, its value."""

    name: str
    label: str
    value: str
    error: str = ""


@dataclass(frozen=True)
class RuleFormRow:
    """One rule or setting of the form, from its declared parameter (solver/registry.py).

    `widget` is one of odd_int, int, optional_int, fraction, bool, rank, kind_counts,
    specialty_counts, age_share; `inputs` are its inputs (several for the count maps and
    age_share); `error` is a message about the row as a whole (a cross-check)."""

    key: str
    label: str
    unit: str
    widget: str
    form_min: int
    form_max: int
    inputs: tuple[FormInput, ...]
    default: str
    hint: str
    title: str
    clause: str
    overridden: bool
    options: tuple[str, ...] = ()
    error: str = ""


_HINTS = {
    "fraction": "如 1/2",
    "optional_int": "留空表示不限",
    "age_share": "两项都留空表示不限",
}


def _input_names(p: Param[Any], specialties: Sequence[str]) -> list[tuple[str, str]]:
    """(input name, label) of a parameter's inputs, as registry.parse_form reads them."""
    if p.widget == "kind_counts":
        return [(f"kind_{k}", k) for k in UNIT_KINDS]
    if p.widget == "specialty_counts":
        return [(f"spec_{s}", s) for s in specialties]
    if p.widget == "age_share":
        return [(f"{p.key}_age", "未满（周岁）"), (f"{p.key}_share", "的评委不少于")]
    return [(p.key, "")]


def form_values(rules: Mapping[str, Any], specialties: Sequence[str]) -> dict[str, str]:
    """A rules object as the form's text (input name → text): what the form shows."""
    out: dict[str, str] = {}
    for p in registry.PARAMS:
        value = rules.get(p.key)
        names = _input_names(p, specialties)
        if p.widget in ("kind_counts", "specialty_counts"):
            counts = value or {}
            out.update({name: str(counts.get(label, "")) for name, label in names})
        elif p.widget == "age_share":
            setting = value or {}
            out[names[0][0]] = str(setting.get("age", ""))
            out[names[1][0]] = str(setting.get("share", ""))
        elif p.widget == "bool":
            out[p.key] = "y" if value else ""
        else:
            out[p.key] = "" if value is None else str(value)
    return out


def _default_text(widget: str, value: Any) -> str:
    if widget in ("kind_counts", "specialty_counts") and isinstance(value, dict):
        if not value:
            return "无申报人" if widget == "specialty_counts" else "不限"
        return "、".join(f"{k} {v}" for k, v in value.items())
    return rule_text(value)


def rule_form(
    meeting: Meeting,
    submitted: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[RuleFormRow]:
    """The rows of the office's rule form, one per registry parameter in form order: the
    meeting's current settings (or the text just submitted), the messages, the default
    and the clause it rests on."""
    specialties = tuple(meeting.committee.specialties)
    current = effective_rules(meeting)
    values = submitted if submitted is not None else form_values(current, specialties)
    errors = errors or {}
    base = level_defaults(meeting)
    sized = level_defaults(meeting, current["panel_size"])
    stored = set(meeting.settings or {})
    rows = []
    for p in registry.PARAMS:
        names = _input_names(p, specialties)
        inputs = tuple(
            FormInput(name, label, values.get(name, ""), errors.get(name, ""))
            for name, label in names
        )
        title, clause = registry.SOURCES.get(p.key, registry.SOURCES[p.rule])
        hint = f"不少于{p.form_min}的单数" if p.widget == "odd_int" else _HINTS.get(p.widget, "")
        rows.append(
            RuleFormRow(
                key=p.key,
                label=p.label_zh,
                unit=p.unit_zh,
                widget=p.widget,
                form_min=p.form_min,
                form_max=p.form_max,
                inputs=inputs,
                default=_default_text(p.widget, _default_for(p.key, base, sized)),
                hint=hint,
                title=title,
                clause=clause,
                overridden=p.key in stored,
                options=RANKS if p.widget == "rank" else (),
                error="" if any(n == p.key for n, _ in names) else errors.get(p.key, ""),
            )
        )
    return rows
