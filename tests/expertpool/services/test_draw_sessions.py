"""Two-party seeds: commitment, the supervisor's part, the draw on H(a, b), the reveal, the
yearly switch, abandoned commitments, and season runs stored with a reason."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.clock import FixedClock
from expertpool.db import make_session_factory
from expertpool.errors import UserError
from expertpool.models import AuditEvent, Meeting
from expertpool.seeds import SeedSequence, combine, commitment
from expertpool.services import draw_sessions as ds_svc
from expertpool.services import job_runner
from expertpool.services import panels as svc
from expertpool.services import season as season_svc
from expertpool.services.packages import find_meeting
from expertpool.services.verification import replay_files, replay_season_files, verify_files
from tests.builders import RSJ, ZJJ

SUPERVISOR = Actor("jianguan", "regulator")
SMALL = {"panel_size": 11, "min_full_senior_share": "1/4"}
CLOCK = FixedClock(datetime(2024, 10, 1, 2, 0, 0))


@pytest.fixture
def s(demo_db: Engine) -> Session:
    session = make_session_factory(demo_db)()
    yield session
    session.rollback()
    session.close()


def small_meeting(s: Session, code: str = "2024-S01") -> Meeting:
    meeting = find_meeting(s, code)
    meeting.settings = dict(SMALL)
    s.flush()
    return meeting


def test_commitment_then_part_b_then_draw_and_reveal(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s)
    ds = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    assert ds.state == "pending" and ds.commitment == commitment(ds.office_part)
    assert ds_svc.revealed_part(ds) == "" and svc.current_panel(s, meeting) is None
    with pytest.raises(UserError, match="已有一个等待监督人"):
        ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    # Bad part b: one message, nothing changes.
    for bad in ("", "   ", "x" * 201, "abc\x00def", "a\nb"):
        with pytest.raises(UserError, match="第二部分随机数应为1到200个字符") as err:
            ds_svc.enter_second_part(s, ds, bad, SUPERVISOR, clock=CLOCK)
        assert err.value.field == "part_b"
        assert ds.state == "pending" and ds.seed == ""
    with pytest.raises(UserError, match="只有监督人"):
        ds_svc.enter_second_part(s, ds, "12345", ZJJ, clock=CLOCK)
    ds_svc.enter_second_part(s, ds, "监督人的数 731", SUPERVISOR, clock=CLOCK)
    assert ds.state == "drawn" and ds.seed == combine(ds.office_part, "监督人的数 731")
    assert ds_svc.revealed_part(ds) == ds.office_part
    panel = svc.current_panel(s, meeting)
    assert panel is not None and panel.id == ds.panel_id and panel.seed == ds.seed
    assert panel.drawn_by == "zjj"
    parts = svc.result_of(panel)["seed_parts"]
    assert parts["office"] == ds.office_part and parts["second"] == "监督人的数 731"
    assert parts["commitment"] == ds.commitment and parts["second_by"] == "jianguan"
    package, result = svc.package_of(panel), svc.result_bytes(panel)
    assert verify_files(package, result).ok and replay_files(package, result).same
    assert svc.replay(s, panel).same
    # A changed commitment fails the replay, not the rule checks.
    doc = json.loads(result)
    doc["seed_parts"]["commitment"] = commitment("another")
    forged = json.dumps(doc, ensure_ascii=False).encode()
    assert verify_files(package, forged).ok
    verdict = replay_files(package, forged)
    assert not verdict.same and "承诺值不一致" in verdict.first_difference
    with pytest.raises(UserError, match="已抽取"):
        ds_svc.enter_second_part(s, ds, "again", SUPERVISOR, clock=CLOCK)
    actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-4:] == ["draw_commit", "draw_second_part", "draw", "panel_certificate"]


def test_a_redraw_needs_its_reason_before_the_commitment(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s)
    first = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    ds_svc.enter_second_part(s, first, "1", SUPERVISOR, clock=CLOCK)
    with pytest.raises(UserError, match="请填写重新抽取的原因"):
        ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    again = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, reason="申报人有变化", clock=CLOCK)
    ds_svc.enter_second_part(s, again, "2", SUPERVISOR, clock=CLOCK)
    panel = svc.current_panel(s, meeting)
    assert panel is not None and panel.redraw_reason == "申报人有变化"


def test_public_source_must_be_named_and_after_the_commitment(
    s: Session, seeds: SeedSequence
) -> None:
    meeting = small_meeting(s)
    ds = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    numbers = "03 07 12 19 25 31 + 09"
    with pytest.raises(UserError, match="名称和期号"):
        ds_svc.enter_second_part(s, ds, numbers, SUPERVISOR, source="public", clock=CLOCK)
    for day, match in (("2024-09-30", "不能早于2024-10-01"), ("2024-10-09", "不能晚于今天")):
        with pytest.raises(UserError, match=match):
            ds_svc.enter_second_part(
                s, ds, numbers, SUPERVISOR, source="public",
                public_name="双色球第2024115期", public_date=day, clock=CLOCK,
            )  # fmt: skip
    ds_svc.enter_second_part(
        s, ds, numbers, SUPERVISOR, source="public",
        public_name="双色球第2024115期", public_date="2024-10-01", clock=CLOCK,
    )  # fmt: skip
    assert ds.second_note == "双色球第2024115期（2024-10-01）"


def test_abandoned_commitments_stay_and_never_reveal(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s)
    ds = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    with pytest.raises(UserError, match="放弃的原因"):
        ds_svc.abandon(s, ds, "", ZJJ)
    ds_svc.abandon(s, ds, "规则填错了", ZJJ)
    assert ds.state == "abandoned" and ds_svc.revealed_part(ds) == ""
    assert [d.id for d in ds_svc.for_meeting(s, meeting)] == [ds.id]
    with pytest.raises(UserError, match="已放弃"):
        ds_svc.enter_second_part(s, ds, "1", SUPERVISOR, clock=CLOCK)


def test_the_bureau_switches_part_b_off_only_with_a_reason(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s)
    with pytest.raises(UserError, match="理由"):
        ds_svc.set_waiver(s, 2024, " ", RSJ)
    with pytest.raises(UserError, match="只有市人社局"):
        ds_svc.set_waiver(s, 2024, "监督人缺席", ZJJ)
    ds_svc.set_waiver(s, 2024, "本年度监督人未到岗，经局务会同意", RSJ)
    ds = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    assert ds.state == "drawn" and ds.second_source == "waived"
    panel = svc.current_panel(s, meeting)
    assert panel is not None
    parts = svc.result_of(panel)["seed_parts"]
    assert parts["waiver"] == "本年度监督人未到岗，经局务会同意" and parts["second"] == ""
    assert svc.replay(s, panel).same
    ds_svc.clear_waiver(s, 2024, RSJ)
    assert ds_svc.waiver_of(s, 2024) is None


def _small_season(s: Session) -> None:
    for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
        m.settings = dict(SMALL) if m.committee.level == "senior" else {"panel_size": 5}
    s.flush()


def test_season_run_on_a_two_party_seed_and_stores_need_reasons(
    s: Session, seeds: SeedSequence, demo_db: Engine
) -> None:
    _small_season(s)
    ds = ds_svc.open_season(s, 2024, 2, RSJ, seeds=seeds, clock=CLOCK)
    assert ds.state == "pending" and season_svc.list_runs(s, 2024) == []
    ds_svc.enter_second_part(s, ds, "第二部分", SUPERVISOR, clock=CLOCK)
    # The season run is queued, not drawn in the caller's transaction: a worker draws it.
    assert ds.state == "drawing" and ds.run_id == ""
    s.commit()
    factory = make_session_factory(demo_db)
    assert job_runner.work(factory, job_runner.Options(clock=CLOCK), drain=True) == 1
    s.refresh(ds)
    assert ds.state == "drawn"
    run = season_svc.load_run(s, ds.run_id)
    assert run is not None and run["plan"]["seed"] == ds.seed
    assert run["plan"]["seed_parts"]["office"] == ds.office_part
    data = season_svc.load_season(s, run["season_sha256"])
    assert data is not None
    plan_bytes = json.dumps(run["plan"], ensure_ascii=False).encode()
    assert replay_season_files(data, plan_bytes).same
    runs = season_svc.list_runs(s, 2024)
    assert svc.why_reason_needed(s, 2024, ds.run_id, run["plan"], runs) == []
    stored = svc.store_plan(s, 2024, data, run["plan"], RSJ, run_id=ds.run_id)
    assert stored and all(svc.replay(s, p, season_loader=lambda _: data).same for p in stored)
    assert "seed_parts" in svc.result_of(stored[0])
    # Storing again over stored panels needs a reason; the reason is on every new panel.
    why = svc.why_reason_needed(s, 2024, ds.run_id, run["plan"], runs)
    assert why and "作废已保存的评委名单" in why[0]
    with pytest.raises(UserError, match="请填写保存该次联合抽取的原因"):
        svc.store_plan(s, 2024, data, run["plan"], RSJ, run_id=ds.run_id, need_reason=why)
    again = svc.store_plan(
        s, 2024, data, run["plan"], RSJ, run_id=ds.run_id, need_reason=why, reason="重新保存"
    )
    assert {p.redraw_reason for p in again} == {"重新保存"}
    event = s.scalars(
        select(AuditEvent).where(AuditEvent.action == "season_store").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.detail["reason"] == "重新保存"


def test_a_decline_with_a_busy_redraw_replays(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s)
    ds = ds_svc.open_single(s, meeting, ZJJ, seeds=seeds, clock=CLOCK)
    ds_svc.enter_second_part(s, ds, "7", SUPERVISOR, clock=CLOCK)
    panel = svc.current_panel(s, meeting)
    assert panel is not None
    result = svc.result_of(panel)
    for code in result["members"][:2]:
        svc.decline(s, panel, code, "出差", ZJJ)
    after = svc.result_of(panel)
    assert [c["declined"] for c in after["declines"]] == [[c] for c in result["members"][:2]]
    assert svc.replay(s, panel).same
    assert replay_files(svc.package_of(panel), svc.result_bytes(panel)).same
