"""What a rule is: id, Chinese title and sentence, clause, parameters, plain check, CP-SAT
formulation, rows for the reduced model, and supply counts for the diagnosis.

A rule's `check` works from the contract's definitions on the package alone (plain Python);
`rows` gives the same rule as count constraints over a numpy feature table (used by the row
system and the reduced model); `add_to_model` writes it into a CP-SAT model (`ctx` is a
solver.model.ModelContext); `supply` gives the supply counts that alone prove a package
infeasible. A rule that bars experts (`bars`) is part of eligibility: `bar_reason` is its
plain reading for one expert, `barred_mask` the vectorised one. The verifier only calls the
plain parts, so nothing here imports ortools.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from solver.contract import Applicant, Expert, Package
from solver.params import FormContext, Param

if TYPE_CHECKING:  # pragma: no cover
    from solver.features import Features

MAX_PER_RULE = 10  # supply entries listed per rule before "另有N名申报人…"


@dataclass(frozen=True)
class Violation:
    """One way a panel breaks a rule, in Chinese, with the numbers when they apply."""

    rule: str
    message: str
    need: int | None = None
    have: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "message": self.message}
        if self.need is not None:
            out["need"] = self.need
        if self.have is not None:
            out["have"] = self.have
        return out


@dataclass(frozen=True)
class Row:
    """Count constraint lo ≤ |members ∩ mask| ≤ hi over the candidates of a feature table."""

    key: str
    mask: np.ndarray
    lo: int
    hi: int


@dataclass(frozen=True)
class PartitionCap:
    """For every label value, at most `cap` members carry it (the unit cap)."""

    key: str
    labels: np.ndarray
    cap: int


class Supply:
    """The eligible experts of a package, for supply counts. `note` says how many the barring
    rules excluded (appended to the counts that depend on eligibility)."""

    def __init__(self, pkg: Package, eligible: list[Expert], note: str) -> None:
        self.pkg = pkg
        self.eligible = eligible
        self.note = note
        self._tables: tuple[Counter[str], Counter[tuple[str, str]], Counter[str]] | None = None
        self._declared: dict[str, list[Expert]] = {}

    def _build(self) -> tuple[Counter[str], Counter[tuple[str, str]], Counter[str]]:
        if self._tables is None:
            by_unit: Counter[str] = Counter(e.unit for e in self.eligible)
            by_unit_spec: Counter[tuple[str, str]] = Counter(
                (e.unit, sp) for e in self.eligible for sp in e.specialties
            )
            by_spec: Counter[str] = Counter(sp for e in self.eligible for sp in e.specialties)
            ids = {e.id: e for e in self.eligible}
            for expert_id, app_id in sorted(self.pkg.conflict_pairs):
                if expert_id in ids:
                    self._declared.setdefault(app_id, []).append(ids[expert_id])
            self._tables = (by_unit, by_unit_spec, by_spec)
        return self._tables

    def free_count(self, applicant: Applicant, specialty: str | None = None) -> int:
        """Eligible experts not conflicted with the applicant (the contract's `conflicted`,
        counted per unit rather than pair by pair), optionally only those listing `specialty`."""
        by_unit, by_unit_spec, by_spec = self._build()
        recuse = self.pkg.rules.recuse_same_unit
        if specialty is None:
            total = len(self.eligible)
            same = by_unit[applicant.unit] if recuse else 0
        else:
            total = by_spec[specialty]
            same = by_unit_spec[(applicant.unit, specialty)] if recuse else 0
        declared = sum(
            1
            for e in self._declared.get(applicant.id, ())
            if (specialty is None or specialty in e.specialties)
            and not (recuse and e.unit == applicant.unit)
        )
        return total - same - declared


class Rule:
    """Base class; each rule module defines one subclass instance named RULE."""

    id: str = ""
    title_zh: str = ""
    clause: str = ""
    # True when the number of the rule was read in its source; False: a system default.
    verified: bool = False
    params: tuple[Param[Any], ...] = ()
    # Rules that make experts ineligible (part of `eligibility`, pruned before the model).
    bars: bool = False
    # Rules that read `experts[].birth_date` when they apply (exporters write it then).
    needs_birth_dates: bool = False

    def applies(self, pkg: Package) -> bool:
        """False when the package switches the rule off; it is then left out of the models."""
        return True

    def validate(self, pkg: Package) -> None:
        """Raise PackageError when the package lacks input this rule needs (after parsing)."""

    def check(self, pkg: Package, members: Sequence[str]) -> list[Violation]:
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # `rows` is required: a rule that forgot it would silently get wrong answers from the
        # row system, the reduced model and the certificates. A rule with no rows says so.
        super().__init_subclass__(**kwargs)
        if not any("rows" in vars(k) for k in cls.__mro__ if k is not Rule):
            raise TypeError(f"rule class {cls.__name__} must define rows()")

    def rows(self, feat: Features) -> list[Row | PartitionCap]:
        """Count constraints over eligible candidates (eligibility itself is by pruning).
        Required in every rule (see __init_subclass__); return [] only when the rule is
        wholly enforced elsewhere (the panel size, or by pruning the ineligible)."""
        raise NotImplementedError

    def add_to_model(self, ctx: Any) -> list[Any]:
        """Add the CP-SAT constraints; return them so the caller can guard them."""
        raise NotImplementedError

    def supply(self, s: Supply) -> list[Violation]:
        """Supply counts: each entry alone proves that no compliant panel exists."""
        return []

    def core_numbers(self, pkg: Package, eligible: list[Expert]) -> tuple[int | None, int | None]:
        """(need, have) shown beside this rule when an assumption core names it."""
        return None, None

    def bar_reason(self, pkg: Package, expert: Expert) -> str | None:
        return None

    def barred_mask(self, pkg: Package, experts: Sequence[Expert]) -> np.ndarray:
        return np.zeros(len(experts), dtype=bool)

    def exclusion_note(self, count: int) -> str:
        """How the supply counts mention experts this barring rule excluded."""
        return ""

    def describe(self, pkg: Package) -> str:
        """The rule's setting in this package, as one Chinese sentence."""
        return self.title_zh

    def diagnosis_notes(self, pkg: Package, eligible: list[Expert]) -> list[str]:
        """Plain sentences that explain an infeasible package's diagnosis further (e.g. a sum
        of minimums above the seats). Shown next to the result's diagnosis, never written into
        the result, so that recorded results stay byte-identical."""
        return []

    def settings_problems(
        self, rules: Mapping[str, Any], seats: int, ctx: FormContext
    ) -> dict[str, str]:
        """Save-time check of the office's settings (the form's rules object, already valid
        field by field) against the seats and, when `ctx.pool` is given, the committee's
        pool: {input name: Chinese message naming the numbers} for a setting no panel can
        meet. Only necessary conditions: a setting passing here may still be infeasible."""
        return {}


def top_coverage(wanted: set[str], lists: Iterable[Sequence[str]], seats: int) -> int:
    """The most (member, wanted specialty) pairs any `seats` experts can give: the sum of
    the `seats` largest |specialties ∩ wanted|. A demand summing above it cannot be met."""
    counts = sorted((len(wanted.intersection(specs)) for specs in lists), reverse=True)
    return sum(counts[:seats])


def fix_out(ctx: Any, mask: np.ndarray) -> list[Any]:
    """Constraints x_i = 0 for the candidates of a mask (how barring rules enter a model)."""
    return [ctx.model.add(ctx.x[int(i)] == 0) for i in np.flatnonzero(mask)]


def capped(entries: list[Violation], rule: str) -> list[Violation]:
    """At most MAX_PER_RULE per-applicant entries, then one line for the rest."""
    if len(entries) <= MAX_PER_RULE:
        return entries
    extra = len(entries) - MAX_PER_RULE
    return [*entries[:MAX_PER_RULE], Violation(rule, f"另有{extra}名申报人存在同样的不足")]


def per_applicant(
    s: Supply, rule: str, want: int, count: Callable[[Applicant], int], text: Callable[..., str]
) -> list[Violation]:
    """Supply entries for a per-applicant lower bound (`text(app, want, have)`)."""
    out = []
    for app in s.pkg.applicants:
        have = count(app)
        if have < want:
            out.append(Violation(rule, text(app, want, have), want, have))
    return capped(out, rule)


def group_minimums(
    rule: str,
    counts: Sequence[tuple[str, int]],
    experts: Sequence[Expert],
    belongs: Callable[[Expert, str], bool],
    text: Callable[[str, int, int], str],
) -> list[Violation]:
    """For each (group, want) of `counts`, a violation when fewer than `want` of `experts`
    belong to the group (`belongs(expert, group)`); its message is `text(group, want, have)`."""
    out = []
    for group, want in counts:
        have = sum(1 for e in experts if belongs(e, group))
        if have < want:
            out.append(Violation(rule, text(group, want, have), want, have))
    return out


def require_birth_dates(pkg: Package, rule: Rule) -> None:
    """An age rule needs the meeting window (ages are counted to its first day) and every
    expert's birth date; a missing one is bad input naming the field and the expert."""
    from solver.errors import PackageError

    if pkg.meeting.window is None:
        raise PackageError(
            f"meeting.window：适用规则“{rule.title_zh}”（{rule.id}）时必须填写例会时间"
            "（年龄计算到例会开始日）",
            field="meeting.window",
        )
    for expert in pkg.experts:
        if expert.birth_date is None:
            path = f"experts[{pkg.file_index.get(expert.id, 0)}].birth_date"
            raise PackageError(
                f"{path}：专家“{expert.id}”缺少出生日期（适用规则“{rule.title_zh}”（{rule.id}）"
                "时每名专家都须填写）",
                field=path,
            )
