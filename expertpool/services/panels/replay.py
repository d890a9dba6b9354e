"""Checks of a stored panel: replay from the recorded package and seed, and the independent
rule-by-rule verification."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from expertpool.models import Panel
from expertpool.services.panels.query import original_of, package_of, result_bytes, result_of
from expertpool.services.season import run_exclusions
from solver.engine import draw
from solver.errors import PackageError
from solver.season.package import parse_season
from solver.season.plan import plan_season
from solver.verify import Item, Report, verify_panel

_LABELS = {
    "status": "抽取结果",
    "members": "评委",
    "alternates": "备选专家顺序",
    "uncovered": "无备选可替换的评委",
}


@dataclass(frozen=True)
class ReplayOutcome:
    same: bool
    message: str
    details: list[str]


class _NoSeasonPackage(Exception):
    def __init__(self, sha256: object) -> None:
        super().__init__(sha256)
        self.sha256 = sha256


def _draw_again(
    panel: Panel,
    data: bytes,
    workers: int,
    season_loader: Callable[[str], bytes | None] | None,
    details: list[str],
) -> dict[str, Any]:
    """The result of drawing again: by the season plan for a season panel, else alone."""
    season_ref = result_of(panel).get("season")
    if not isinstance(season_ref, dict):
        return draw(data, panel.seed, workers)
    season_data = season_loader(str(season_ref.get("sha256"))) if season_loader else None
    if season_data is None:
        raise _NoSeasonPackage(season_ref.get("sha256"))
    plan = plan_season(parse_season(season_data), panel.seed, workers)
    again: dict[str, Any] = plan["panels"].get(panel.meeting.code, {})
    details.append("按记录的年度数据包和种子重新进行年度联合抽取")
    return again


def replay(
    session: Session,
    panel: Panel,
    workers: int = 1,
    season_loader: Callable[[str], bytes | None] | None = None,
) -> ReplayOutcome:
    """Draw again from the stored package bytes and seed; compare with the original draw.

    A panel stored from a season plan is replayed by planning the season again from the
    recorded season package (found by its SHA-256 through `season_loader`).
    """
    data = package_of(panel)
    details: list[str] = []
    sha = hashlib.sha256(data).hexdigest()
    if sha != panel.instance_sha256:
        details.append("记录的抽取包与其哈希不符（抽取包在抽取后被改动）")
    stored = result_of(panel)
    original = stored.get("original") or original_of(stored)
    try:
        again = _draw_again(panel, data, workers, season_loader, details)
    except _NoSeasonPackage as missing:
        return ReplayOutcome(
            False,
            "无法重放：该名单来自年度联合抽取，找不到记录的年度数据包",
            [f"年度数据包 SHA-256：{missing.sha256}"],
        )
    except PackageError as exc:
        return ReplayOutcome(False, f"无法重放：{exc.message}", [exc.message])
    for key, label in _LABELS.items():
        if again.get(key) != original.get(key):
            details.append(
                f"{label}不一致：记录为{_fmt(original.get(key))}，重放为{_fmt(again.get(key))}"
            )
        else:
            details.append(f"{label}一致：{_fmt(again.get(key))}")
    same = sha == panel.instance_sha256 and all(again.get(k) == original.get(k) for k in _LABELS)
    if same:
        message = f"重放一致：以记录的抽取包（SHA-256 {sha[:12]}…）和种子“{panel.seed}”重新抽取，评委与备选顺序完全相同"
    else:
        message = "重放不一致：重新抽取的结果与记录不同"
    return ReplayOutcome(same, message, details)


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(value) if value else "无"
    return str(value)


def verification_report(panel: Panel, session: Session | None = None) -> Report:
    """The rule-by-rule report of the independent checks on the stored package and result.

    A panel stored from a season plan may list fewer alternates than its package alone asks
    for; the experts the season keeps off its list are recomputed from the recorded season
    package and plan (never taken from the result file)."""
    excluded: set[str] = set()
    season_ref = result_of(panel).get("season")
    if isinstance(season_ref, dict) and session is not None:
        sha, seed = str(season_ref.get("sha256")), str(season_ref.get("seed"))
        excluded = (run_exclusions(session, sha, seed) or {}).get(panel.meeting.code, set())
    try:
        return verify_panel(package_of(panel), result_bytes(panel), excluded)
    except PackageError as exc:  # stored by an older version, or changed behind the app
        return Report([Item("format", "结果文件格式", "draw-format.md", False, exc.message)])
