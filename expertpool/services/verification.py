"""Offline verification of any draw package and result file (the regulator's upload, and
`expertpool verify --replay`).

Nothing is read from or written to the database. Two verdicts, kept apart:
规则核验 — the files are checked rule by rule by the solver's independent verifier (no
CP-SAT involved); 抽取复现 — the draw is re-derived with the engine from the package bytes
and the panel's seed (solver/replay.py), which alone tells a drawn panel from a hand-picked
compliant one; 抽取证明 (optional) — an uploaded certificate (draw-format.md §6) is checked
with no solver at all (expertpool.services.panels.certificates.check_one).
"""

from __future__ import annotations

from dataclasses import dataclass

from expertpool.errors import UserError
from expertpool.services.panels.certificates import PROVEN, UNPROVEN, check_one
from solver.engine import verify
from solver.errors import PackageError
from solver.jsonstrict import MAX_JSON_BYTES
from solver.replay import ReplayVerdict, replay_panel, replay_plan
from solver.verify import Report

__all__ = [
    "MAX_FILE_BYTES",
    "NOT_A_DRAW_FILE",
    "CertificateVerdict",
    "Report",
    "ReplayVerdict",
    "UnverifiableError",
    "certificate_files",
    "replay_files",
    "replay_season_files",
    "verify_files",
]

# Each uploaded file: the most any JSON reader takes (the command line's limit too).
MAX_FILE_BYTES = MAX_JSON_BYTES

NOT_A_DRAW_FILE = "文件不是有效的抽取数据包或抽取结果（expertpool.draw/1、expertpool.panel/1）"


class UnverifiableError(UserError):
    """The files cannot be verified at all; the message says why (Chinese, one line)."""


def verify_files(package: bytes, result: bytes) -> Report:
    """The rule-by-rule report for a draw package and its result file (draw-format.md).

    Raises `UnverifiableError` when either file is not a usable package or result.
    """
    try:
        return verify(package, result)
    except PackageError as exc:
        raise UnverifiableError(exc.message) from exc
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UnverifiableError(NOT_A_DRAW_FILE) from exc


def replay_files(
    package: bytes, result: bytes, season: bytes | None = None, workers: int = 1
) -> ReplayVerdict:
    """抽取复现 of a result file from its package (and, for a season panel, the season
    package). Raises `UnverifiableError` when a file is not usable input."""
    try:
        return replay_panel(package, result, workers, season)
    except PackageError as exc:
        raise UnverifiableError(exc.message) from exc
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UnverifiableError(NOT_A_DRAW_FILE) from exc


def replay_season_files(season: bytes, plan: bytes, workers: int = 1) -> ReplayVerdict:
    """抽取复现 of a whole season plan from the season package and the plan's seed."""
    try:
        return replay_plan(season, plan, workers)
    except PackageError as exc:
        raise UnverifiableError(exc.message) from exc
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UnverifiableError("文件不是有效的年度数据包或年度抽取结果") from exc


@dataclass(frozen=True)
class CertificateVerdict:
    """抽取证明 of uploaded files: 已证明 only when the certificate passes the checker."""

    ok: bool
    message: str

    @property
    def verdict(self) -> str:
        return PROVEN if self.ok else UNPROVEN


def certificate_files(package: bytes, result: bytes, certificate: bytes) -> CertificateVerdict:
    """The solver-free check of an uploaded certificate against the package and result; a
    certificate that cannot be read is 未证明 with the checker's reason (never an error page)."""
    ok, message = check_one(package, result, certificate)
    return CertificateVerdict(ok, message)
