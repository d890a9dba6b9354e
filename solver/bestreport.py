"""The "best any draw could do" part of an `expertpool.odds/1` report, and its verdict.

Values are rounded to 4 digits. `kind` says what a value is: "exact" (column generation
converged, or the LP bound is already the trivial end 1 / 0) or "lower_bound" /
"upper_bound" (the LP alone)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from solver.bestodds import exact_lottery, fractional_bound
from solver.draw import DrawSpace
from solver.recruit import Need, recruitment

DIGITS = 4
EPS = 1e-6


def _value(space: DrawSpace, maximin: bool, exact: bool, workers: int) -> dict[str, Any] | None:
    bound = fractional_bound(space, maximin=maximin)
    if bound is None:
        return None
    lp = bound.value
    trivial = lp <= EPS if maximin else lp >= 1 - EPS  # the bound is the end of [0, 1]
    out: dict[str, Any] = {"lp_bound": round(lp, DIGITS)}
    if exact and not trivial:
        lottery = exact_lottery(space, maximin=maximin, workers=workers)
        assert lottery is not None  # the LP is feasible only with a compliant panel here
        out.update(value=round(lottery.value, DIGITS), kind="exact", panels=len(lottery.panels))
    elif trivial:
        out.update(value=round(lp, DIGITS), kind="exact")
    else:
        out.update(value=round(lp, DIGITS), kind="upper_bound" if maximin else "lower_bound")
    return out


def _share(threshold: float) -> str:
    f = Fraction(threshold).limit_denominator(100)
    return f"{f.numerator}/{f.denominator}" if f.denominator != 1 else str(f.numerator)


def verdict(best_max: dict[str, Any], our_max: float, threshold: float) -> tuple[str, str]:
    """(code, Chinese sentence): "supply" (even the best lottery leaves an expert above the
    threshold), "draw" (only our draw does), "unknown" (our draw does and only a bound of
    the best is known), "ok"."""
    h = _share(threshold)
    best, exact = best_max["value"], best_max["kind"] == "exact"
    if best > threshold + EPS:  # a lower bound above the threshold settles it
        return "supply", (
            f"即使采用最均衡的抽取方式，仍有专家入选概率不低于 {best}（高于 {h}）："
            "专家库过薄（供给不足），应补充专家。"
        )
    if our_max <= threshold:
        return "ok", f"本系统抽取方式下，每名专家的入选概率均不高于 {h}。"
    if exact:
        return "draw", (
            f"本系统抽取方式下最高入选概率约为 {our_max}，而最均衡的抽取方式可降到 {best}"
            f"（不高于 {h}）：专家库足够，抽取方式可以更均衡。"
        )
    return "unknown", (
        f"本系统抽取方式下最高入选概率约为 {our_max}；线性规划下界为 {best}（不高于 {h}），"
        "最均衡的抽取方式能否降到该值以下尚未精确计算（可加 --exact 计算）。"
    )


def best_section(
    space: DrawSpace, our_max: float, threshold: float, *, exact: bool = False, workers: int = 1
) -> dict[str, Any] | None:
    """None when no compliant panel exists (the LP is infeasible too)."""
    minimax = _value(space, False, exact, workers)
    maximin = _value(space, True, exact, workers)
    if minimax is None or maximin is None:
        return None
    code, sentence = verdict(minimax, our_max, threshold)
    recruit = recruit_section(space, threshold) if minimax["lp_bound"] > threshold + EPS else None
    return {
        "recruit": recruit,
        "minimax": minimax,
        "maximin": maximin,
        "our_max": our_max,
        "verdict": code,
        "message": sentence,
    }


def _kind_text(need: Need) -> str:
    specs = "、".join(need.specialties) or "不限专业"
    return f"{need.rank}·{specs}·{need.unit_kind}（新单位）{need.count} 名"


def recruit_section(space: DrawSpace, threshold: float) -> dict[str, Any]:
    """The fewest recruits per kind that bring the LP bound to the threshold (see
    solver/recruit.py): a bound, since the LP bound is itself a lower bound."""
    needs = recruitment(space, threshold)
    if needs is None:
        return {"needs": None, "message": "仅靠补充专家无法使最高入选概率降到阈值以下。"}
    parts = "；".join(_kind_text(x) for x in needs)
    return {
        "needs": [
            {
                "count": x.count,
                "rank": x.rank,
                "unit_kind": x.unit_kind,
                "specialties": list(x.specialties),
            }
            for x in needs
        ],
        "total": sum(x.count for x in needs),
        "message": f"至少需补充 {sum(x.count for x in needs)} 名专家（按线性规划估算）：{parts}。",
    }
