"""The registry of draw rules and their parameters: the one place that lists them.

A new rule is one module in solver/rules/ (see solver/rules/base.py for what it declares)
plus one entry in `RULES` below. Everything else iterates the registry: package parsing
(solver/package.py), the defaults (solver/defaults.py), eligibility, the CP-SAT model, the
row system, the supply counts, the diagnosis and the verifier.

API for the services and the office form (no ortools, no database):

    from solver import registry
    for p in registry.PARAMS:                 # in form order (= key order of `rules`)
        p.key, p.label_zh, p.unit_zh, p.widget, p.form_min, p.form_max, p.rule
    registry.LABELS["max_age"]                # "专家年龄上限"
    registry.SOURCES["max_age"]               # (title, clause) of the param's rule/setting
    rules, errors = registry.parse_form(form, registry.FormContext(specialties=[...]))
    registry.defaults("senior", None, {"建筑工程": 30}, narrow=False)   # = default_rules
    registry.supply_counts(pkg)               # [{"rule", "message", "need", "have"}]
    registry.diagnosis_notes(pkg)             # sentences shown beside a diagnosis
    registry.needs_birth_dates(rules)         # exporters write experts[].birth_date then

`parse_form` reads the form's text (a mapping of input name → text; count maps use
`kind_<类别>` / `spec_<专业>` inputs, `min_share_under_age` uses `<key>_age` and
`<key>_share`; blank means off where the rule can be off) into a complete `rules` object,
and returns {input name: Chinese message} for every bad input, including the cross-checks
against the panel size and each rule's `settings_problems` (against the seats and, when
`FormContext.pool` is given, the committee's pool; messages name the numbers). Where the form is valid its result parses as a package's rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from solver.contract import Expert, Meeting, Package, Rules
from solver.params import Defaults, FormContext, Param
from solver.reader import R
from solver.rules import (
    max_age,
    max_consecutive_years,
    max_per_unit,
    min_full_senior_share,
    min_group_members,
    min_per_unit_kind,
    min_share_under_age,
    min_specialist_voters,
    min_voters_share,
    panel_size,
    specialty_demand,
)
from solver.rules.base import Rule, Supply, Violation
from solver.rules.eligibility import Eligibility
from solver.settings import ALTERNATES, RECUSE_SAME_UNIT, default_seats
from solver.settings import SOURCES as SETTING_SOURCES

__all__ = [
    "ALL",
    "BY_ID",
    "ELIGIBILITY",
    "LABELS",
    "PARAMS",
    "SOURCES",
    "FormContext",
    "defaults",
    "diagnosis_notes",
    "eligible",
    "eligible_mask",
    "ineligibility_reason",
    "needs_birth_dates",
    "parse_form",
    "parse_rules",
    "supply_counts",
    "validate",
]

_BARRING = (max_consecutive_years.RULE, max_age.RULE)
ELIGIBILITY = Eligibility(barring=_BARRING)

# Contract order: the verifier's report, the CP-SAT model and the diagnosis follow it.
RULES: tuple[Rule, ...] = (
    panel_size.RULE,
    ELIGIBILITY,
    max_consecutive_years.RULE,
    max_age.RULE,
    min_full_senior_share.RULE,
    min_share_under_age.RULE,
    max_per_unit.RULE,
    min_per_unit_kind.RULE,
    specialty_demand.RULE,
    min_voters_share.RULE,
    min_specialist_voters.RULE,
    min_group_members.RULE,
)
ALL = RULES
BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

# Settings that belong to no single rule.
_SETTINGS: tuple[Param[Any], ...] = (ALTERNATES, RECUSE_SAME_UNIT)

PARAMS: tuple[Param[Any], ...] = tuple(
    sorted(
        {p.key: p for p in (*_SETTINGS, *(p for r in RULES for p in r.params))}.values(),
        key=lambda p: p.form_order,
    )
)
PARAM_BY_KEY: dict[str, Param[Any]] = {p.key: p for p in PARAMS}
LABELS: dict[str, str] = {p.key: p.label_zh for p in PARAMS}
SOURCES: dict[str, tuple[str, str]] = {
    **{rule.id: (rule.title_zh, rule.clause) for rule in RULES},
    **SETTING_SOURCES,
}


# -- the package's rules --------------------------------------------------------------


def parse_rules(raw: object) -> Rules:
    """The `rules` object of a package: required keys first, then the others in form order."""
    obj = R.obj(raw, "rules")
    values: dict[str, object] = {}
    for p in sorted(PARAMS, key=lambda p: not p.required):
        path = f"rules.{p.key}"
        if p.required:
            values[p.key] = p.parse(R.require(obj, p.key, path), path)
        elif p.key not in obj or (p.null_is_absent and obj[p.key] is None):
            values[p.key] = p.absent
        else:
            values[p.key] = p.parse(obj[p.key], path)
    return Rules(values)


def needs_birth_dates(rules: Mapping[str, object]) -> bool:
    """Whether a package with this `rules` object must give every expert's `birth_date`
    (some rule that reads birth dates applies); raises PackageError on bad rules."""
    parsed = parse_rules(rules)
    probe = Package(Meeting(id="", year=0), parsed, (), (), (), "")
    return any(rule.needs_birth_dates and rule.applies(probe) for rule in RULES)


def validate(pkg: Package) -> None:
    """Input the rules need beyond their own parameters (e.g. birth dates for the age rules)."""
    for rule in RULES:
        rule.validate(pkg)


def defaults(
    level: str, seats: int | None, specialties_with_applicants: Mapping[str, int], narrow: bool
) -> dict[str, Any]:
    """The system defaults as a `rules` object (a rule whose default is off is left out)."""
    size = default_seats(level, narrow) if seats is None else seats
    ctx = Defaults(level, size, specialties_with_applicants, narrow)
    out: dict[str, Any] = {}
    for p in PARAMS:
        value = p.default(ctx)
        if value is not None:
            out[p.key] = value
    return out


def parse_form(
    form: Mapping[str, str], ctx: FormContext | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The office form's text → (complete rules object, {input name: message})."""
    ctx = ctx or FormContext()
    rules: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for p in PARAMS:
        value, errs = p.parse_form(form, ctx)
        rules[p.key] = value
        errors.update(errs)
    size = rules.get("panel_size")
    if isinstance(size, int) and not errors:
        for p in PARAMS:
            problem = p.form_check(rules[p.key], size) if p.form_check else None
            if problem is not None:
                errors[p.key] = f"{p.label_zh}{problem}"
    if isinstance(size, int) and not errors:
        for rule in RULES:
            errors.update(rule.settings_problems(rules, size, ctx))
    return rules, errors


# -- eligibility ----------------------------------------------------------------------


def ineligibility_reason(pkg: Package, expert: Expert) -> str | None:
    """Why an expert may not sit (the plain reading of `eligibility`), or None."""
    return ELIGIBILITY.reason(pkg, expert)


def eligible_mask(pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
    """Vectorised eligibility (available, rank, the barring rules): the model's pruning."""
    return ELIGIBILITY.mask(pkg, experts)


def eligible(pkg: Package) -> list[Expert]:
    mask = eligible_mask(pkg, pkg.experts)
    return [e for e, ok in zip(pkg.experts, mask, strict=True) if ok]


# -- supply counts ----------------------------------------------------------------------


def _exclusion_note(pkg: Package) -> str:
    parts = []
    for rule in _BARRING:
        count = int(rule.barred_mask(pkg, pkg.experts).sum()) if rule.applies(pkg) else 0
        if count:
            parts.append(rule.exclusion_note(count))
    return f"（{'，'.join(parts)}）" if parts else ""


def supply_counts(pkg: Package) -> list[dict[str, Any]]:
    """Rules that fail on supply alone: each entry is by itself a proof of infeasibility."""
    s = Supply(pkg, eligible(pkg), _exclusion_note(pkg))
    found: list[Violation] = [v for rule in RULES if rule.applies(pkg) for v in rule.supply(s)]
    return [v.as_dict() for v in found]


def diagnosis_notes(pkg: Package) -> list[str]:
    """Each applying rule's explanation beside an infeasible package's diagnosis."""
    elig = eligible(pkg)
    return [note for rule in RULES if rule.applies(pkg) for note in rule.diagnosis_notes(pkg, elig)]


def complies(pkg: Package, members: Sequence[str]) -> bool:
    """Every rule's plain check passes (the contract's definition of a compliant panel)."""
    return all(not rule.check(pkg, members) for rule in RULES)
