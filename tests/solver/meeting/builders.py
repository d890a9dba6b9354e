"""Package, panel and meeting record (bytes) for the meeting verifier's tests."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from solver.exact import need
from tests.builders import applicant, expert, package_doc, to_bytes


def panel_doc(pkg_bytes: bytes, members: Sequence[str], recusals: dict[str, list[str]]) -> bytes:
    doc = {
        "format": "expertpool.panel/1",
        "meeting": "T-01",
        "status": "drawn",
        "seed": "s",
        "instance_sha256": hashlib.sha256(pkg_bytes).hexdigest(),
        "members": sorted(members),
        "alternates": [],
        "uncovered": [],
        "recusals": recusals,
        "diagnosis": [],
        "solver": {},
    }
    return json.dumps(doc, ensure_ascii=False).encode()


@dataclass
class Case:
    """A panel of `size` members E1…En; applicants in `order`; `conflicts` as (expert, app)."""

    size: int = 7
    order: Sequence[str] = ("A3", "A1", "A2")
    conflicts: Sequence[tuple[str, str]] = (("E1", "A1"),)
    groups: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Any] = field(
        default_factory=lambda: {
            "quorum_share": "2/3",
            "pass_share": "2/3",
            "max_pass_rate": None,
            "pass_rate_counts": "all",
        }
    )

    @property
    def members(self) -> list[str]:
        return [f"E{i}" for i in range(1, self.size + 1)]

    def package(self) -> bytes:
        experts = [expert(m, f"U{m}") for m in self.members]
        apps = [applicant(a) for a in self.order]
        conflicts = [{"expert": e, "applicant": a, "reason": "师生"} for e, a in self.conflicts]
        return to_bytes(
            package_doc(experts, applicants=apps, conflicts=conflicts, panel_size=self.size)
        )

    def panel(self) -> bytes:
        rec: dict[str, list[str]] = {}
        for a in sorted(self.order):  # the contract: by applicant, members sorted
            hit = sorted(e for e, x in self.conflicts if x == a)
            if hit:
                rec[a] = hit
        return panel_doc(self.package(), self.members, rec)

    def voters(self, app: str, present: Sequence[str]) -> int:
        recused = {e for e, a in self.conflicts if a == app}
        return len([p for p in present if p not in recused])

    def honest(
        self, present: Sequence[str] | None = None, yes: dict[str, int] | None = None
    ) -> dict[str, Any]:
        """A correct record: the given yes counts (default all yes), the rest as no."""
        present = list(self.members if present is None else present)
        absent = [{"expert": m, "reason": "因病"} for m in self.members if m not in present]
        votes = []
        q = need(Fraction(self.rules["quorum_share"]), self.size)
        p = Fraction(self.rules["pass_share"])
        for a in self.order:
            voters = self.voters(a, present)
            y = (yes or {}).get(a, voters)
            vote: dict[str, Any] = {
                "applicant": a,
                "yes": y,
                "no": voters - y,
                "abstain": 0,
                "passed": voters >= q and y >= need(p, voters),
            }
            if a in self.groups:
                vote["group"] = self.groups[a]
            votes.append(vote)
        return {
            "format": "expertpool.meeting/1",
            "meeting": "T-01",
            "panel_sha256": hashlib.sha256(self.panel()).hexdigest(),
            "rules": dict(self.rules),
            "present": present,
            "absent": absent,
            "votes": votes,
        }

    def files(self, record: dict[str, Any]) -> tuple[bytes, bytes, bytes]:
        return self.package(), self.panel(), json.dumps(record, ensure_ascii=False).encode()
