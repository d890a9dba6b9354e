"""Hypothesis: a plain reference computation of draw-format.md §5 against the verifier on
random records (honest and perturbed)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.meeting import verify_meeting
from tests.solver.meeting.builders import Case

SHARES = ["1/2", "2/3", "3/4", "1/1", "0/1"]


def reference(case: Case, record: dict[str, Any]) -> dict[str, bool]:
    """Each §5 condition written out again with math.ceil on fractions."""
    n = case.size
    quorum = math.ceil(Fraction(record["rules"]["quorum_share"]) * n)
    share = Fraction(record["rules"]["pass_share"])
    present = set(record["present"])
    counts_ok = valid_all = decisions_ok = True
    decided = []
    for v in record["votes"]:
        recused = {e for e, a in case.conflicts if a == v["applicant"]}
        voters = len(present - recused)
        valid = voters >= quorum
        should = valid and v["yes"] >= math.ceil(share * voters)
        counts_ok &= v["yes"] + v["no"] + v["abstain"] == voters
        valid_all &= valid
        decisions_ok &= v["passed"] == should
        if record["rules"]["pass_rate_counts"] == "all" or not v.get("group"):
            decided.append(should)
    cap = record["rules"]["max_pass_rate"]
    above = cap is not None and decided and Fraction(sum(decided), len(decided)) > Fraction(cap)
    rate_ok = bool(record.get("explanation")) if above else "explanation" not in record
    return {
        "quorum": len(present) >= quorum,
        "vote_counts": counts_ok,
        "vote_quorum": valid_all,
        "pass_decision": decisions_ok,
        "pass_rate": rate_ok,
    }


@st.composite
def cases(draw: st.DrawFn) -> tuple[Case, dict[str, Any]]:
    size = draw(st.sampled_from([3, 5, 7, 9, 11]))
    apps = [f"A{j}" for j in range(draw(st.integers(1, 5)))]
    members = [f"E{i}" for i in range(1, size + 1)]
    conflicts = tuple(
        draw(st.lists(st.tuples(st.sampled_from(members), st.sampled_from(apps)), unique=True))
    )
    groups = {a: "高技能人才" for a in apps if draw(st.booleans())}
    rules = {
        "quorum_share": draw(st.sampled_from(SHARES)),
        "pass_share": draw(st.sampled_from(SHARES)),
        "max_pass_rate": draw(st.sampled_from([None, "1/2", "1/3", "0/1"])),
        "pass_rate_counts": draw(st.sampled_from(["all", "excluding_groups"])),
    }
    case = Case(size=size, order=apps, conflicts=conflicts, groups=groups, rules=rules)
    present = [m for m in members if draw(st.integers(0, 9)) > 1]
    yes = {a: draw(st.integers(0, size)) for a in apps}
    record = case.honest(
        present=present, yes={a: min(y, case.voters(a, present)) for a, y in yes.items()}
    )
    for v in record["votes"]:
        kind = draw(st.sampled_from(["keep"] * 6 + ["flip", "more", "less", "abstain"]))
        if kind == "flip":
            v["passed"] = not v["passed"]
        elif kind == "more":
            v["yes"] += 1
        elif kind == "less" and v["no"] > 0:
            v["no"] -= 1
        elif kind == "abstain" and v["no"] > 0:
            v["no"] -= 1
            v["abstain"] += 1
    if draw(st.booleans()):
        record["explanation"] = "因申报人整体水平较高"
    return case, record


@settings(max_examples=300, deadline=None)
@given(cases())
def test_verifier_agrees_with_the_reference(data: tuple[Case, dict[str, Any]]) -> None:
    case, record = data
    want = reference(case, record)
    report = verify_meeting(*case.files(record))
    got = {item.check: item.ok for item in report.items}
    for key, ok in want.items():
        assert got[key] == ok, (key, report.text())
    assert got["panel_match"] and got["attendance"] and got["votes_listed"]
    assert report.ok == all(want.values())
