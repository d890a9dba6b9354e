"""Checks of a stored panel: replay from the recorded package and seed, and the independent
rule-by-rule verification."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from expertpool.models import DrawSession, Panel
from expertpool.services.panels.query import package_of, result_bytes, result_of
from expertpool.services.season import run_exclusions
from solver.errors import PackageError
from solver.replay import DIFFERENT, SAME, replay_panel
from solver.verify import Item, Report, verify_panel


@dataclass(frozen=True)
class ReplayOutcome:
    """抽取复现 of a stored panel: `same` only when the panel is exactly the seed's draw."""

    same: bool
    message: str
    details: list[str]

    @property
    def verdict(self) -> str:
        return SAME if self.same else DIFFERENT


def replay(
    session: Session,
    panel: Panel,
    workers: int = 1,
    season_loader: Callable[[str], bytes | None] | None = None,
) -> ReplayOutcome:
    """Draw again from the stored package bytes and seed (solver/replay.py, the same
    comparison as `expertpool verify --replay`), the decline history included.

    A panel stored from a season plan is replayed by planning the season again from the
    recorded season package (found by its SHA-256 through `season_loader`).
    """
    data = package_of(panel)
    season_ref = result_of(panel).get("season")
    season_data: bytes | None = None
    if isinstance(season_ref, dict):
        sha = str(season_ref.get("sha256"))
        season_data = season_loader(sha) if season_loader else None
        if season_data is None:
            return ReplayOutcome(
                False,
                "无法重放：该名单来自年度联合抽取，找不到记录的年度数据包",
                [f"年度数据包 SHA-256：{sha}"],
            )
    try:
        verdict = replay_panel(data, result_bytes(panel), workers, season_data)
    except PackageError as exc:
        return ReplayOutcome(False, f"无法重放：{exc.message}", [exc.message])
    problem = _parts_against_commitment(session, panel)
    if problem:
        verdict.fail(problem)
    if verdict.same:
        sha = hashlib.sha256(data).hexdigest()
        message = (
            f"{SAME}：重放一致，以记录的抽取包（SHA-256 {sha[:12]}…）和种子“{panel.seed}”"
            "重新抽取，评委与备选顺序完全相同"
        )
    else:
        message = f"{DIFFERENT}：重放不一致，{verdict.first_difference}"
    return ReplayOutcome(verdict.same, message, list(verdict.lines))


def _draw_session_of(session: Session, panel: Panel) -> DrawSession | None:
    """The two-party commitment that drew `panel` (a single draw, or the season run whose
    plan it was stored from), if any."""
    found = session.scalars(select(DrawSession).where(DrawSession.panel_id == panel.id)).first()
    season = result_of(panel).get("season")
    run = season.get("run") if isinstance(season, dict) else None
    if found is None and run:
        found = session.scalars(
            select(DrawSession).where(DrawSession.kind == "season", DrawSession.run_id == str(run))
        ).first()
    return found


def _parts_against_commitment(session: Session, panel: Panel) -> str:
    """A panel drawn on a two-party seed must carry that draw's parts, after any number of
    declines: the database knows the commitment even when a result file lost it."""
    ds = _draw_session_of(session, panel)
    if ds is None or ds.state != "drawn":
        return ""
    parts = result_of(panel).get("seed_parts")
    if not isinstance(parts, dict):
        return (
            f"种子的两部分缺失：该名单由第{ds.id}号抽取承诺（承诺值 {ds.commitment[:16]}…）"
            "抽出，结果文件却没有记录种子的两部分，无法核对承诺值"
        )
    for key, label, recorded in (
        ("commitment", "承诺值", ds.commitment),
        ("office", "第一部分", ds.office_part),
        ("second", "第二部分", ds.second_part),
    ):
        if parts.get(key) != recorded:
            return f"结果文件记录的{label}与第{ds.id}号抽取承诺的记录不符"
    return ""


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
        return Report([Item("format", "结果文件格式", "结果文件格式约定", False, exc.message)])
