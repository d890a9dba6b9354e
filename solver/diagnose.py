"""Why no compliant panel exists: cheap supply counts first, then a minimal assumption core."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ortools.sat.python import cp_model

from solver.errors import SolverFailure
from solver.exact import need
from solver.features import Features, barred_mask, eligible_mask
from solver.model import build_model, make_solver
from solver.package import Expert, Package
from solver.rules import ALL, BY_ID

MAX_PER_RULE = 10


def _entry(
    rule: str, message: str, want: int | None = None, have: int | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"rule": rule, "message": message}
    if want is not None:
        out["need"] = want
    if have is not None:
        out["have"] = have
    return out


def _capped(entries: list[dict[str, Any]], rule: str) -> list[dict[str, Any]]:
    if len(entries) <= MAX_PER_RULE:
        return entries
    extra = len(entries) - MAX_PER_RULE
    return [*entries[:MAX_PER_RULE], _entry(rule, f"另有{extra}名申报人存在同样的不足")]


def _eligible(pkg: Package) -> list[Expert]:
    mask = eligible_mask(pkg, pkg.experts)
    return [e for e, ok in zip(pkg.experts, mask, strict=True) if ok]


def supply_counts(pkg: Package) -> list[dict[str, Any]]:
    """Rules that fail on supply alone: each entry is by itself a proof of infeasibility."""
    r = pkg.rules
    n = r.panel_size
    elig = _eligible(pkg)
    barred = int(barred_mask(pkg, pkg.experts).sum())
    note = f"（另有{barred}名专家因连续任职年限被排除）" if barred else ""
    out: list[dict[str, Any]] = []
    if len(elig) < n:
        out.append(
            _entry(
                "eligibility",
                f"需要{n}名符合条件的专家，符合条件的专家只有{len(elig)}名{note}",
                n,
                len(elig),
            )
        )
    want = need(r.min_full_senior_share, n)
    have = sum(1 for e in elig if e.rank == "正高级")
    if have < want:
        out.append(
            _entry(
                "min_full_senior_share",
                f"需要至少{want}名正高级专家，符合条件的正高级专家只有{have}名{note}",
                want,
                have,
            )
        )
    if r.max_per_unit is not None and len(elig) >= n:
        per_unit = Counter(e.unit for e in elig)
        capacity = sum(min(c, r.max_per_unit) for c in per_unit.values())
        if capacity < n:
            top, top_count = min(per_unit.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append(
                _entry(
                    "max_per_unit",
                    f"每个单位最多{r.max_per_unit}名评委，符合条件的{len(elig)}名专家来自"
                    f"{len(per_unit)}个单位（其中“{top}”有{top_count}名），最多只能组成"
                    f"{capacity}人，需要{n}人",
                    n,
                    capacity,
                )
            )
    for kind, want_k in r.min_per_unit_kind:
        have_k = sum(1 for e in elig if e.unit_kind == kind)
        if have_k < want_k:
            out.append(
                _entry(
                    "min_per_unit_kind",
                    f"需要至少{want_k}名来自{kind}的评委，符合条件的只有{have_k}名",
                    want_k,
                    have_k,
                )
            )
    for spec, want_s in r.specialty_demand:
        have_s = sum(1 for e in elig if spec in e.specialties)
        if have_s < want_s:
            out.append(
                _entry(
                    "specialty_demand",
                    f"专业“{spec}”需要至少{want_s}名评委，符合条件的该专业专家只有{have_s}名",
                    want_s,
                    have_s,
                )
            )
    pairs = {(c.expert, c.applicant) for c in pkg.conflicts}

    def free(e: Expert, app: Any) -> bool:
        return not ((r.recuse_same_unit and e.unit == app.unit) or (e.id, app.id) in pairs)

    voters_need = need(r.min_voters_share, n)
    voters: list[dict[str, Any]] = []
    specialists: list[dict[str, Any]] = []
    for app in pkg.applicants:
        if voters_need > 0:
            have_v = sum(1 for e in elig if free(e, app))
            if have_v < voters_need:
                voters.append(
                    _entry(
                        "min_voters_share",
                        f"申报人“{app.id}”需要至少{voters_need}名无回避评委，符合条件且无需回避的"
                        f"专家只有{have_v}名",
                        voters_need,
                        have_v,
                    )
                )
        k = r.min_specialist_voters
        if k > 0:
            have_sp = sum(1 for e in elig if app.specialty in e.specialties and free(e, app))
            if have_sp < k:
                specialists.append(
                    _entry(
                        "min_specialist_voters",
                        f"申报人“{app.id}”（专业“{app.specialty}”）需要至少{k}名无回避的本专业评委，"
                        f"符合条件的只有{have_sp}名",
                        k,
                        have_sp,
                    )
                )
    out += _capped(voters, "min_voters_share") + _capped(specialists, "min_specialist_voters")
    return out


def _core_solve(model: cp_model.CpModel, lits: list[Any]) -> tuple[bool, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = make_solver(1)  # assumption cores need a single worker
    # Guarded constraints enter the LP relaxation only at level 2; without it, proving a
    # count conflict (e.g. 企业 15 + 高校 15 > 25 seats) is a blind search.
    solver.parameters.linearization_level = 2
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return True, list(solver.sufficient_assumptions_for_infeasibility())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False, []
    raise SolverFailure(f"CP-SAT 未能给出结论（状态 {solver.status_name(status)}）")


def minimal_core(pkg: Package) -> list[str]:
    """A minimal set of rule ids that cannot hold together (deletion-shrunk assumption core)."""
    cands = [e for e in pkg.experts if e.available]
    feat = Features(pkg, cands)
    ctx, lits = build_model(feat, guarded=True)
    by_index = {lit.index: rid for rid, lit in lits.items()}
    infeasible, core_idx = _core_solve(ctx.model, list(lits.values()))
    if not infeasible:
        return []
    core = [rid for rid in lits if any(by_index.get(i) == rid for i in core_idx)] or list(lits)
    for rid in list(core):
        if rid not in core:
            continue
        trial = [c for c in core if c != rid]
        still, sub = _core_solve(ctx.model, [lits[c] for c in trial])
        if still:
            named = {by_index[i] for i in sub if i in by_index}
            core = [c for c in trial if c in named] or trial
    return core


def _core_entry(pkg: Package, rid: str, core: list[str], feat_elig: list[Expert]) -> dict[str, Any]:
    rule = BY_ID[rid]
    others = "、".join(BY_ID[c].title_zh for c in core if c != rid)
    tail = f"，与“{others}”不能同时满足" if others else "，无法满足"
    n = pkg.rules.panel_size
    want: int | None = None
    have: int | None = None
    if rid == "panel_size":
        want, have = n, len(feat_elig)
    elif rid == "min_full_senior_share":
        want = need(pkg.rules.min_full_senior_share, n)
        have = sum(1 for e in feat_elig if e.rank == "正高级")
    elif rid == "max_per_unit" and pkg.rules.max_per_unit is not None:
        per_unit = Counter(e.unit for e in feat_elig)
        want, have = n, sum(min(c, pkg.rules.max_per_unit) for c in per_unit.values())
    return _entry(rid, f"{rule.describe(pkg)}{tail}", want, have)


def diagnose(pkg: Package) -> list[dict[str, Any]]:
    """Diagnosis entries for an infeasible package (never empty)."""
    entries = supply_counts(pkg)
    if entries:
        return entries
    core = minimal_core(pkg)
    if not core:  # pragma: no cover - the draw proved infeasibility with the same rules
        return [_entry("panel_size", "未能定位冲突规则，请检查抽取包")]
    order = [rule.id for rule in ALL]
    core.sort(key=order.index)
    elig = _eligible(pkg)
    return [_core_entry(pkg, rid, core, elig) for rid in core]
