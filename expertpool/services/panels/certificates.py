"""Draw certificates (抽取证明) of stored panels: made when a panel is drawn and after every
redraw step, stored beside the package and result, and checked with no solver.

A certificate (draw-format.md §6, `expertpool.certificate/1`) proves that the panel is the
first compliant panel in the seed's order for these package bytes; the checker that reads
it shares no code with the engine. Season panels are out of scope: they are proven by
replay of the whole season (`SEASON_NOTE`).

The solver side (`solver.certify`, and the checker `solver.certcheck`) is reached through
`make_certificates`, `step_bytes`, `file_bytes`, `check_one` and `required_steps` only.
Each step's certificate is a row; the file a regulator downloads and checks is the array of
all steps (the checker reads a panel's steps together).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import SYSTEM_CLOCK, Clock
from expertpool.models import Panel, PanelCertificate
from expertpool.services import audit
from expertpool.services.panels.query import package_of, result_bytes, result_of
from solver.certcheck import check_certificate
from solver.certify import certificate_bytes, certify_panel, panel_steps
from solver.errors import PackageError

PROVEN = "已证明"
UNPROVEN = "未证明"
SEASON_NOTE = "年度联合抽取的名单以复现核验"
NO_LIST = "无名单可证明"
MISSING = "尚未生成抽取证明（本名单在此功能之前抽取，可在“抽取证明”页由后台任务补发）"


@dataclass(frozen=True)
class ProofOutcome:
    """抽取证明 of a stored panel. `state`: proven | unproven | season | none (no list)."""

    state: str
    message: str
    steps: list[int] = field(default_factory=list)  # the steps checked

    @property
    def proven(self) -> bool:
        return self.state == "proven"

    @property
    def verdict(self) -> str:
        if self.state == "season":
            return SEASON_NOTE
        if self.state == "none":
            return NO_LIST
        return PROVEN if self.proven else UNPROVEN


# -- the solver side: the only calls -------------------------------------------------------


def make_certificates(
    package: bytes, result: dict[str, Any], workers: int = 1
) -> list[dict[str, Any]]:
    """The certificate of every step of `result`'s draw, the first draw first (each one
    confirmed by the checker before it is returned)."""
    return certify_panel(package, result, workers)


def step_bytes(cert: dict[str, Any]) -> bytes:
    """One step's certificate as stored (the solver's canonical JSON of that step alone)."""
    return certificate_bytes([cert])


def file_bytes(rows: Sequence[PanelCertificate]) -> bytes:
    """The certificate file of a panel: one object for one step, else the steps' array
    (first draw first), exactly as `expertpool certify` writes it."""
    return certificate_bytes([json.loads(r.cert_json) for r in sorted(rows, key=lambda r: r.step)])


def check_one(package: bytes, result: bytes, cert: bytes) -> tuple[bool, str]:
    """The solver-free checker on a certificate file: (passes, its Chinese reason)."""
    verdict = check_certificate(package, result, cert)
    message = str(verdict.message)
    for prefix in ("抽取证明：未证明——", "抽取证明：已证明——"):
        message = message.removeprefix(prefix)
    return bool(verdict.ok), message


def required_steps(result: dict[str, Any]) -> list[int]:
    """The steps a drawn panel needs a certificate for: the first draw, and each decline call
    whose seats were (partly) redrawn rather than filled by alternates (as the certifier and
    the checker read the recorded history)."""
    return [step_number({"step": spec.name}) for spec in panel_steps(result)]


# -- which steps a panel has ------------------------------------------------------------------


def is_season(panel: Panel) -> bool:
    return isinstance(result_of(panel).get("season"), dict)


def certifiable(panel: Panel) -> bool:
    """A single-meeting panel whose current result lists a panel."""
    result = result_of(panel)
    return result.get("status") == "drawn" and not isinstance(result.get("season"), dict)


def step_number(cert: dict[str, Any]) -> int:
    """The certificate's `step`: "original" is 0, a redraw step its decline call's number."""
    step = cert.get("step")
    if step == "original":
        return 0
    if isinstance(step, int) and not isinstance(step, bool) and step > 0:
        return step
    raise ValueError(f"certificate step {step!r}")


def step_name(step: int) -> str:
    return "首次抽取" if step == 0 else f"第{step}次请辞的补抽"


def stored(session: Session, panel: Panel) -> list[PanelCertificate]:
    return list(
        session.scalars(
            select(PanelCertificate)
            .where(PanelCertificate.panel_id == panel.id)
            .order_by(PanelCertificate.step)
        )
    )


def certificate(session: Session, panel: Panel, step: int) -> PanelCertificate | None:
    return session.scalars(
        select(PanelCertificate).where(
            PanelCertificate.panel_id == panel.id, PanelCertificate.step == step
        )
    ).first()


def missing_steps(session: Session, panel: Panel) -> list[int]:
    if not certifiable(panel):
        return []
    have = {c.step for c in stored(session, panel)}
    return [s for s in required_steps(result_of(panel)) if s not in have]


# -- making and storing -------------------------------------------------------------------------


def _insert(session: Session, row: PanelCertificate) -> bool:
    """Store one step once: a racing writer (the backfill job beside a redraw) that stored
    the same step first wins, and this one is dropped (the unique constraint decides)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def certify(
    session: Session,
    panel: Panel,
    actor: Actor,
    *,
    how: str,
    workers: int = 1,
    clock: Clock = SYSTEM_CLOCK,
) -> list[PanelCertificate]:
    """Make the certificates of `panel`'s steps that are not stored yet, store them and put
    them on the audit trail (`how`: draw | redraw | backfill). A panel that needs none (a
    season panel, no list) gets none. Returns the rows this call stored."""
    wanted = missing_steps(session, panel)
    if not wanted:
        return []
    try:
        made = make_certificates(package_of(panel), result_of(panel), workers)
    except PackageError as exc:  # a stored package the draw itself read: should not happen
        _record_failure(session, panel, actor, how, exc.message)
        return []
    except RuntimeError as exc:  # the certifier's own check refused what it made (its bug)
        _record_failure(session, panel, actor, how, str(exc))
        return []
    now = clock.utcnow()
    rows = []
    for cert in made:
        step = step_number(cert)
        if step not in wanted:
            continue
        data = step_bytes(cert)
        row = PanelCertificate(
            panel_id=panel.id,
            step=step,
            cert_json=data.decode("utf-8"),
            sha256=hashlib.sha256(data).hexdigest(),
            created_by=actor.username,
            created_at=now,
        )
        if _insert(session, row):
            rows.append(row)
    if rows:
        _record(session, panel, actor, how, rows)
    return rows


def _record(
    session: Session, panel: Panel, actor: Actor, how: str, rows: Sequence[PanelCertificate]
) -> None:
    audit.record(
        session,
        actor.username,
        actor.role,
        "panel_certificate",
        panel.meeting.code,
        {
            "panel": panel.id,
            "how": how,
            "steps": [r.step for r in rows],
            "sha256": [r.sha256 for r in rows],
        },
    )


def _record_failure(session: Session, panel: Panel, actor: Actor, how: str, why: str) -> None:
    audit.record(
        session,
        actor.username,
        actor.role,
        "panel_certificate",
        panel.meeting.code,
        {"panel": panel.id, "how": how, "steps": [], "error": why},
    )


# -- checking a stored panel --------------------------------------------------------------------


def proof(session: Session, panel: Panel) -> ProofOutcome:
    """抽取证明 of a stored panel: the certificate file of its required steps passes the
    solver-free checker against the stored package and current result."""
    if is_season(panel):
        return ProofOutcome("season", f"抽取证明：{SEASON_NOTE}")
    if result_of(panel).get("status") != "drawn":
        return ProofOutcome("none", NO_LIST)
    rows = {c.step: c for c in stored(session, panel)}
    steps = required_steps(result_of(panel))
    absent = [s for s in steps if s not in rows]
    if absent:
        message = MISSING if absent[0] == 0 else f"{step_name(absent[0])}尚无抽取证明"
        return ProofOutcome("unproven", message)
    data = file_bytes([rows[s] for s in steps])
    ok, message = check_one(package_of(panel), result_bytes(panel), data)
    return ProofOutcome("proven" if ok else "unproven", message, steps)
