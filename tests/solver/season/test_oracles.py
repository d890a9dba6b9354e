"""The season planner's cheaper exact oracles give the joint model's answers.

Every seat question is answered by the first oracle that settles it (bounds, swap, the
single-meeting reduced model with the seats held elsewhere as exclusions, a witness repair,
and only then the joint model); each answer must equal the full joint CP-SAT model's. The
drawn set and the competition diagnosis must equal those found with the joint model alone.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest

import solver.season.plan as plan_mod
from solver.season.model import SeasonModel
from solver.season.package import parse_season
from solver.season.plan import plan_season
from solver.season.verify import verify_plan
from tests.builders import NOV, OCT, ex, mt, season_doc
from tests.regression.corpus import stable

WINDOWS = [OCT, NOV, ["2024-10-28", "2024-11-05"], ["2024-11-20", "2024-11-30"]]


def random_season(seed: int) -> bytes:
    """A small season with shared pools, overlapping windows and sometimes a yearly cap."""
    rng = random.Random(seed)
    ids = [chr(65 + j) for j in range(rng.randint(3, 4))]
    meetings = [
        mt(
            mid,
            rng.choice(WINDOWS),
            n=rng.choice([3, 5, 5]),
            min_full_senior_share=rng.choice(["0/1", "1/3", "3/5"]),
            max_per_unit=rng.choice([1, 2, 3]),
            specialty_demand=rng.choice([{}, {"电气": 2}, {"电气": 1, "化工": 1}]),
        )
        for mid in ids
    ]
    experts = [
        ex(
            f"E{i:02d}",
            sorted(rng.sample(ids, rng.choice([1, 1, 2, 2, 3]))),
            rank=rng.choice(["正高级", "副高级", "副高级"]),
            unit=f"U{rng.randint(0, 4)}",
            specs=tuple(sorted(rng.sample(["机械", "电气", "化工"], rng.randint(1, 2)))),
        )
        for i in range(rng.randint(12, 24))
    ]
    return season_doc(experts, meetings, rng.choice([None, 1, 2, 2]))


def checked(data: bytes, seed: str) -> dict:
    result = plan_season(parse_season(data), seed, 1)
    report = verify_plan(data, json.dumps(result, ensure_ascii=False).encode())
    assert report.drawn_ok, report.text()
    return result


def test_every_seat_answer_equals_the_full_joint_model(monkeypatch: pytest.MonkeyPatch) -> None:
    original = plan_mod.SeasonSearch.decide
    paths: Counter[str] = Counter()

    def decide(self: plan_mod.SeasonSearch, j: int, i: int) -> bool:
        before = dict(self.calls)
        answer = original(self, j, i)
        model = self.model.get()  # the full joint model with every seat decided so far
        model.set_seat(j, i, 1, 1)
        truth = model.solve(1) is not None
        model.set_seat(j, i, 0, 1)
        assert answer == truth, (self.season.meetings[j].id, self._id(j, i))
        paths.update(k for k, v in self.calls.items() if v > before[k])
        return answer

    monkeypatch.setattr(plan_mod.SeasonSearch, "decide", decide)
    for seed in range(40):
        # Every other season without the LP step, so that the joint model answers too.
        monkeypatch.setattr(plan_mod, "LP_SEATS", seed % 2 == 0)
        checked(random_season(seed), f"s{seed}")
    # Each oracle answered some questions, so each was checked against the joint model.
    kinds = ("bound_no", "swap", "single", "witness_yes", "repair", "restricted", "lp", "joint")
    for kind in kinds:
        assert paths[kind] > 0, (kind, paths)


def joint_only_drawn(data: bytes) -> list[str]:
    """The drawn meetings as the joint model alone finds them (today's definition)."""
    season = parse_season(data)
    spaces = [plan_mod.draw_space(m.pkg) for m in season.meetings]
    model = SeasonModel(season, spaces)
    possible = [j for j, s in enumerate(spaces) if s.feat.m >= s.feat.n]
    model.set_active(possible)
    if model.solve(1) is not None:
        return [season.meetings[j].id for j in possible]
    drawn: list[int] = []
    for j in possible:
        model.set_active([j])
        if model.solve(1) is None:
            continue
        model.set_active([*drawn, j])
        if model.solve(1) is not None:
            drawn.append(j)
    return [season.meetings[j].id for j in drawn]


def test_drawn_set_and_diagnosis_equal_the_joint_models(monkeypatch: pytest.MonkeyPatch) -> None:
    seen_competition = 0
    for seed in range(40):
        data = random_season(1000 + seed)
        fast = checked(data, "d")
        drawn = sorted(k for k, p in fast["panels"].items() if p["status"] == "drawn")
        assert drawn == sorted(joint_only_drawn(data)), seed
        with monkeypatch.context() as mp:  # the diagnosis from the joint core alone
            mp.setattr(plan_mod, "_infeasible_test", lambda *a: None)
            slow = checked(data, "d")
        assert stable(fast) == stable(slow), seed
        seen_competition += sum(
            1
            for p in fast["panels"].values()
            if p["status"] == "infeasible" and "单独可以抽取" in p["diagnosis"][0]["message"]
        )
    assert seen_competition > 0


def test_counting_and_lp_proofs_agree_with_the_joint_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each proof that a meeting cannot join (counting or LP) is confirmed by the full joint
    model on the proof's meetings, and the plan's verification checks it (`checked`)."""
    original = plan_mod._cannot_join
    found: Counter[str] = Counter()

    def cannot_join(probe: plan_mod.SeasonSearch, demand: Any, drawn: list[int], j: int) -> Any:
        proof = original(probe, demand, drawn, j)
        model = SeasonModel(probe.season, probe.spaces)
        model.set_active([*drawn, j])
        joint_says_no = model.solve(1) is None
        if proof is not None:
            assert set(proof.meetings) <= {*drawn, j} and j in proof.meetings
            model.set_active(proof.meetings)
            assert model.solve(1) is None and joint_says_no
            found["counting" if proof.key else "lp"] += 1
        else:
            found["none"] += 1
        return proof

    monkeypatch.setattr(plan_mod, "_cannot_join", cannot_join)
    for seed in range(40):
        result = checked(random_season(1000 + seed), "d")
        for p in result["panels"].values():
            for d in p["diagnosis"]:
                if "proof" in d:
                    found["diagnosed"] += 1
    assert found["counting"] > 0 and found["lp"] > 0 and found["none"] > 0, found
    assert found["diagnosed"] > 0
