"""The two-party seed: the office's part, its commitment, and the seed both parts give.

Pure hashing (no engine, no ortools), shared by the web draws, the replay and the CLI.

- ``commitment(a)`` = SHA-256 over ``b"expertpool.commit/1\\n"`` followed by the UTF-8 bytes
  of part a, as 64 lowercase hex digits. It is shown before part b is known; part a is
  revealed after the draw, and anyone can recompute the commitment.
- ``combine(a, b)`` = the first 32 lowercase hex digits of SHA-256 over
  ``b"expertpool.seed/1\\n"``, then for each part its UTF-8 length as 4 bytes big-endian
  followed by its UTF-8 bytes (part a first). The length prefixes make the split between the
  parts unambiguous: no other pair of parts gives the same input bytes. When the second part
  is switched off (with a recorded reason), part b is the empty string.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SCHEME = "expertpool.seed/1"
COMMIT_TAG = b"expertpool.commit/1\n"
SEED_TAG = b"expertpool.seed/1\n"
SEED_HEX = 32


def commitment(part_a: str) -> str:
    return hashlib.sha256(COMMIT_TAG + part_a.encode("utf-8")).hexdigest()


def _framed(part: str) -> bytes:
    data = part.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def combine(part_a: str, part_b: str) -> str:
    digest = hashlib.sha256(SEED_TAG + _framed(part_a) + _framed(part_b)).hexdigest()
    return digest[:SEED_HEX]


@dataclass(frozen=True)
class PartsCheck:
    ok: bool
    lines: list[str]
    bad: tuple[str, ...] = ()  # the lines that say what does not hold

    def report(self, passed: Callable[[str], None], failed: Callable[[str], None]) -> None:
        """Each line to `passed`, or to `failed` when it says what does not hold (so that a
        verdict's first difference names the failure, not a check that held)."""
        for line in self.lines:
            (failed if line in self.bad else passed)(line)


def check_parts(parts: Any, seed: str) -> PartsCheck:
    """Check a result's recorded ``seed_parts`` against its seed: the revealed part a must
    give the recorded commitment, and H(part a, part b) must be the seed."""
    if not isinstance(parts, dict):
        line = "种子组成（seed_parts）格式不对，无法复核"
        return PartsCheck(False, [line], (line,))
    office, second, commit = parts.get("office"), parts.get("second"), parts.get("commitment")
    if not isinstance(office, str) or not isinstance(commit, str):
        line = "种子组成缺少办事机构部分或其承诺值，无法复核"
        return PartsCheck(False, [line], (line,))
    second = second if isinstance(second, str) else ""
    lines: list[str] = []
    bad: list[str] = []
    if commitment(office) == commit:
        lines.append(f"承诺值一致：公开的办事机构部分的哈希即抽取前公示的承诺值 {commit[:16]}…")
    else:
        bad.append(
            f"承诺值不一致：公开的办事机构部分的哈希为 {commitment(office)[:16]}…，"
            f"而抽取前公示的承诺值为 {commit[:16]}…"
        )
        lines.append(bad[-1])
    derived = combine(office, second)
    if derived == seed:
        who = "第二部分" if second else "（第二部分已按记录的理由关闭）"
        lines.append(f"种子一致：由办事机构部分与{who}算得的种子即记录的种子 {seed}")
    else:
        bad.append(f"种子不一致：由两部分算得 {derived}，记录的种子为 {seed}")
        lines.append(bad[-1])
    return PartsCheck(not bad, lines, tuple(bad))
