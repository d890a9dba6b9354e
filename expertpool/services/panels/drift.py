"""Drift: how the stored data moved since a panel's package was built, and the refusals
that follow from it (a panel drawn on other data may no longer comply)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from expertpool.clock import SHANGHAI
from expertpool.errors import UserError
from expertpool.models import Panel
from expertpool.services.packages import build_package


@dataclass(frozen=True)
class Drift:
    """How the stored data moved since a panel's package was built."""

    rules: bool
    applicants_added: int
    applicants_removed: int
    conflicts_added: frozenset[tuple[str, str]]
    conflicts_removed: frozenset[tuple[str, str]]
    unavailable: frozenset[str]  # in the package, no longer drawable (status or pool)
    groups: bool = False  # the review groups' specialties (the package's `groups`)

    def conflicted(self) -> set[str]:
        return {e for e, _ in self.conflicts_added | self.conflicts_removed}


def _applicants(pkg: dict[str, Any]) -> set[tuple[str, str, str, str | None]]:
    # The review group (评议组) counts: a changed group is a changed applicant.
    return {(a["id"], a["unit"], a["specialty"], a.get("group")) for a in pkg.get("applicants", [])}


def _conflicts(pkg: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["expert"], c["applicant"]) for c in pkg.get("conflicts", [])}


def shanghai_date(utc: datetime) -> date:
    """The Beijing calendar day of a stored (naive UTC) instant."""
    return utc.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def drift_since_draw(session: Session, panel: Panel) -> Drift:
    stored = json.loads(panel.package_json)
    # The draw's own date: a suspension that had lapsed then still has; one set since is
    # still running on that date (暂停至 is after the day it was set), so it is reported.
    fresh = build_package(session, panel.meeting, today=shanghai_date(panel.drawn_at))
    old_a, new_a = _applicants(stored), _applicants(fresh)
    old_c, new_c = _conflicts(stored), _conflicts(fresh)
    available = {e["id"] for e in fresh["experts"] if e["available"]}
    return Drift(
        rules=stored.get("rules") != fresh["rules"],
        applicants_added=len(new_a - old_a),
        applicants_removed=len(old_a - new_a),
        conflicts_added=frozenset(new_c - old_c),
        conflicts_removed=frozenset(old_c - new_c),
        unavailable=frozenset(
            e["id"] for e in stored.get("experts", []) if e.get("available", True)
        )
        - available,
        groups=stored.get("groups") != fresh.get("groups"),
    )


def changes_since_draw(
    session: Session,
    panel: Panel,
    *,
    members_only: bool = False,
    ignore: str = "",
    drift: Drift | None = None,
) -> list[str]:
    """What changed since the draw that the panel's compliance depends on: rules, applicants,
    declared conflicts of seated experts, and seated experts no longer drawable. Sealing needs
    only the members (`members_only`); a decline does not depend on the member who declines
    (`ignore`), and checks the alternate or expert it actually seats afterwards."""
    drift = drift or drift_since_draw(session, panel)
    seats = [
        s
        for s in panel.seats
        if s.state == "active"
        and (s.role == "member" or not members_only)
        and s.expert.code != ignore
    ]
    seated = {s.expert.code for s in seats}
    out = []
    if drift.rules:
        out.append("抽取规则（评委人数、比例等）已修改")
    if drift.groups:
        out.append("评议组及其专业已修改")
    if drift.applicants_added or drift.applicants_removed:
        out.append(
            f"申报人已变化（新增{drift.applicants_added}名、删除或修改{drift.applicants_removed}名）"
        )
    added = sum(1 for e, _ in drift.conflicts_added if e in seated)
    removed = sum(1 for e, _ in drift.conflicts_removed if e in seated)
    if added or removed:
        out.append(f"回避登记已变化（新增{added}条、删除或修改{removed}条）")
    for seat in sorted(seats, key=lambda s: (s.role != "member", s.position)):
        if seat.expert.code in drift.unavailable:
            who = "评委" if seat.role == "member" else "备选专家"
            out.append(
                f"{who}{seat.expert.name}（{seat.expert.code}）已不能参加抽取"
                f"（当前状态：{seat.expert.status}，或已不在本评委会专家库）"
            )
    return out


def stale_notice(session: Session, panel: Panel | None) -> str:
    """For the meeting page: one sentence when the current unsealed panel was drawn on data
    that has since changed (what `changes_since_draw` lists for sealing), else ""."""
    if panel is None or panel.status != "drawn":
        return ""
    changes = changes_since_draw(session, panel, members_only=True)
    if not changes:
        return ""
    kinds = [
        word
        for word, found in (
            ("申报人", any(c.startswith("申报人") for c in changes)),
            ("回避", any(c.startswith("回避") for c in changes)),
            ("规则", any(c.startswith("抽取规则") for c in changes)),
            ("专家状态", any("已不能参加抽取" in c for c in changes)),
        )
        if found
    ]
    return f"当前名单已过期（抽取之后修改了{'/'.join(kinds)}），须重新抽取后才能锁定"


def refuse_if_changed(
    session: Session,
    panel: Panel,
    doing: str,
    *,
    members_only: bool = False,
    ignore: str = "",
    drift: Drift | None = None,
) -> None:
    changes = changes_since_draw(
        session, panel, members_only=members_only, ignore=ignore, drift=drift
    )
    if changes:
        raise UserError(
            f"抽取后以下数据有变化，名单可能已不合规，请重新抽取后再{doing}：" + "；".join(changes),
            field="panel",
        )
