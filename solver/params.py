"""Declared parameters of the draw rules: one `Param` per key of a package's `rules` object.

A rule module declares its parameter(s) next to its check and its CP-SAT formulation. A
parameter knows everything the package, the defaults and the office form need:

- `key`, `parse` (package JSON → typed value, raising `PackageError` naming the field),
  `absent` (the value when the key is left out: the rule does not apply), `required`,
  `null_is_absent` (a JSON null also means left out);
- `default(ctx)`: the system default as a JSON value for a committee level and panel size
  (`None`: off, left out of the defaults object);
- the office form: `widget` (`odd_int`, `int`, `optional_int`, `fraction`, `bool`, `rank`,
  `kind_counts`, `specialty_counts`, `age_share`), `label_zh`, `unit_zh`, `form_min`,
  `form_max`, `form_check` (a cross-field check against the panel size); `parse_form`
  turns the form's text into the JSON value or a Chinese message per form field;
- `form_order`: the place of the key in the `rules` object and on the form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:  # pragma: no cover
    from solver.contract import Rules

T = TypeVar("T")

RANKS: tuple[str, ...] = ("中级", "副高级", "正高级")  # lowest to highest
RANK_LEVEL: dict[str, int] = {name: i for i, name in enumerate(RANKS)}
UNIT_KINDS: tuple[str, ...] = ("高校", "企业", "事业单位", "医疗机构", "社会组织", "其他")
LEVELS: tuple[str, ...] = ("senior", "intermediate")

SENIOR_SEATS = 25
SENIOR_NARROW_SEATS = 11
INTERMEDIATE_SEATS = 11
BIG_SPECIALTY = 20


@dataclass(frozen=True)
class Defaults:
    """What a meeting's default rules depend on."""

    level: str
    seats: int
    specialties_with_applicants: Mapping[str, int]
    narrow: bool

    @property
    def senior(self) -> bool:
        return self.level == "senior"


@dataclass(frozen=True)
class PoolExpert:
    """What the save-time settings checks read of one expert in the committee's pool."""

    unit: str
    unit_kind: str
    rank: str
    specialties: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormContext:
    """What parsing the office form needs besides the text: the committee's specialties,
    and (when the caller knows it) the committee's pool, so that the settings checks can
    refuse a rule that contradicts itself on that pool (e.g. a unit cap that even a pool with
    enough experts cannot fill). A pool smaller than the seats is a shortage the bureau may
    still fill, not a wrong setting: the checks then use the seats alone (`pool_for`)."""

    specialties: Sequence[str] = ()
    pool: Sequence[PoolExpert] | None = None

    def pool_for(self, seats: int) -> Sequence[PoolExpert] | None:
        """The pool when it has at least `seats` experts, else None."""
        return self.pool if self.pool is not None and len(self.pool) >= seats else None


# Form text → (JSON value, {form field: Chinese message}).
FormResult = tuple[object, dict[str, str]]


@dataclass(frozen=True, eq=False)
class Param(Generic[T]):
    key: str
    label_zh: str
    widget: str
    absent: T
    parse: Callable[[object, str], T]
    default: Callable[[Defaults], object]
    form_order: int
    rule: str
    unit_zh: str = ""
    required: bool = False
    null_is_absent: bool = False
    form_min: int = 0
    form_max: int = 99
    form_check: Callable[[object, int], str | None] | None = field(default=None)

    def of(self, rules: Rules) -> T:
        """The typed value in a parsed package (the `absent` value when left out)."""
        return cast(T, rules.values[self.key])

    def parse_form(self, form: Mapping[str, str], ctx: FormContext | None = None) -> FormResult:
        return _FORM_PARSERS[self.widget](self, form, ctx or FormContext())


# -- the office form's text parsers, one per widget kind --------------------------------

_FRACTION_RE = re.compile(r"^\s*([0-9]{1,4})\s*/\s*([0-9]{1,4})\s*$")
_TRUE = ("y", "on", "1", "true")
_NEGATIVE_RE = re.compile(r"^[-\u2212\uff0d]\s*[0-9]+$")  # ASCII, minus sign, full-width


def form_integer(
    text: str | None, key: str, label: str, lo: int, hi: int, *, blank_none: bool
) -> FormResult:
    value = (text or "").strip()
    if not value:
        return (None, {}) if blank_none else (None, {key: f"{label}不能为空"})
    if _NEGATIVE_RE.match(value):  # a whole number below the range: name the range
        return None, {key: f"{label}应在{lo}到{hi}之间（不能为负数）"}
    if not (value.isascii() and value.isdigit()):  # '²' is a digit to isdigit, not to int
        return None, {key: f"{label}应为整数"}
    number = int(value)
    if not lo <= number <= hi:
        return None, {key: f"{label}应在{lo}到{hi}之间"}
    return number, {}


def form_fraction(text: str | None, key: str, label: str) -> FormResult:
    m = _FRACTION_RE.match((text or "").strip())
    if not m:
        return None, {key: f"{label}应写成分数“a/b”，如 1/2"}
    a, b = int(m.group(1)), int(m.group(2))
    if b == 0 or a > b:
        return None, {key: f"{label}应为0到1之间的分数（分母不为0，分子不大于分母）"}
    return f"{a}/{b}", {}


def _int_widget(p: Param[Any], form: Mapping[str, str], ctx: FormContext) -> FormResult:
    blank = p.widget == "optional_int"
    value, errors = form_integer(
        form.get(p.key), p.key, p.label_zh, p.form_min, p.form_max, blank_none=blank
    )
    if p.widget == "odd_int" and isinstance(value, int) and value % 2 == 0:
        return None, {p.key: f"{p.label_zh}应为不小于{p.form_min}的单数"}
    return value, errors


def _fraction_widget(p: Param[Any], form: Mapping[str, str], ctx: FormContext) -> FormResult:
    return form_fraction(form.get(p.key), p.key, p.label_zh)


def _bool_widget(p: Param[Any], form: Mapping[str, str], ctx: FormContext) -> FormResult:
    return (form.get(p.key) or "") in _TRUE, {}


def _rank_widget(p: Param[Any], form: Mapping[str, str], ctx: FormContext) -> FormResult:
    rank = (form.get(p.key) or "").strip()
    if rank not in RANKS:
        return rank, {p.key: f"{p.label_zh}应为{'、'.join(RANKS)}之一"}
    return rank, {}


def _counts(
    p: Param[Any], form: Mapping[str, str], names: Sequence[str], prefix: str, sort: bool
) -> FormResult:
    out: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name in names:
        key = f"{prefix}{name}"
        value, err = form_integer(
            form.get(key), key, f"{name}评委最少人数", p.form_min, p.form_max, blank_none=True
        )
        errors.update(err)
        if isinstance(value, int) and value:
            out[name] = value
    return (dict(sorted(out.items())) if sort else out), errors


def _kind_widget(p: Param[Any], form: Mapping[str, str], ctx: FormContext) -> FormResult:
    return _counts(p, form, UNIT_KINDS, "kind_", False)


def _spec_widget(p: Param[Any], form: Mapping[str, str], ctx: FormContext) -> FormResult:
    return _counts(p, form, ctx.specialties, "spec_", True)


def _age_share_widget(p: Param[Any], form: Mapping[str, str], ctx: FormContext) -> FormResult:
    """Two inputs, `<key>_age` and `<key>_share`; both blank: off."""
    age_key, share_key = f"{p.key}_age", f"{p.key}_share"
    if not (form.get(age_key) or "").strip() and not (form.get(share_key) or "").strip():
        return None, {}
    age, errors = form_integer(
        form.get(age_key), age_key, f"{p.label_zh}的年龄", p.form_min, p.form_max, blank_none=False
    )
    share, share_errors = form_fraction(form.get(share_key), share_key, f"{p.label_zh}的比例")
    errors.update(share_errors)
    return ({"age": age, "share": share} if not errors else None), errors


_FORM_PARSERS: dict[str, Callable[[Param[Any], Mapping[str, str], FormContext], FormResult]] = {
    "odd_int": _int_widget,
    "int": _int_widget,
    "optional_int": _int_widget,
    "fraction": _fraction_widget,
    "bool": _bool_widget,
    "rank": _rank_widget,
    "kind_counts": _kind_widget,
    "specialty_counts": _spec_widget,
    "age_share": _age_share_widget,
}


def at_most_seats(value: object, seats: int) -> str | None:
    """A count that may not exceed the panel size (form cross-check; the registry puts the
    parameter's label in front)."""
    if isinstance(value, int) and value > seats:
        return f"{value}名，超过评委人数{seats}人，请调整"
    return None
