"""Panels service: draw → decline → the contract's replacement → seal → refusals → replay."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expertpool.errors import UserError
from expertpool.models import (
    Applicant,
    AuditEvent,
    Conflict,
    Expert,
    Meeting,
    Panel,
    PanelSeat,
    ServiceRecord,
    Unit,
)
from expertpool.seeds import SeedSequence
from expertpool.services import applicants as app_svc
from expertpool.services import audit
from expertpool.services import meeting_settings as settings_svc
from expertpool.services import panels as svc
from expertpool.services.applicant_fields import OPTIONAL_HEADERS
from expertpool.services.packages import find_meeting, served_years
from solver.contract import Package
from solver.engine import draw
from solver.package import parse_package
from solver.verify import complies
from tests.builders import RSJ, SMALL_RULES, ZJJ, small_meeting
from tests.solver import brute


@pytest.fixture
def s(demo_session: Session) -> Session:
    """A session on the demo pool (the root conftest's demo_session)."""
    return demo_session


def test_draw_stores_package_seed_and_seats(s: Session, seeds: SeedSequence) -> None:
    meeting = small_meeting(s)
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    result = svc.result_of(panel)
    assert panel.status == "drawn" and len(panel.seed) == 16
    assert result["instance_sha256"] == panel.instance_sha256
    members = [x for x in panel.seats if x.role == "member"]
    alternates = sorted((x for x in panel.seats if x.role == "alternate"), key=lambda x: x.position)
    assert [x.expert.code for x in sorted(members, key=lambda x: x.position)] == result["members"]
    assert [x.expert.code for x in alternates] == result["alternates"]
    assert svc.verification_report(panel).ok
    # The stored bytes give the same draw with the same seed.
    again = draw(svc.package_of(panel), panel.seed)
    assert again["members"] == result["members"]
    assert s.scalar(select(AuditEvent).where(AuditEvent.action == "draw")) is not None


# One panel's life: draw → decline → the contract's replacement → seal → refusals → replay
# → no-shows. Each step is a fixture on top of the previous one; each test checks one step.


@dataclass
class Flow:
    meeting: Meeting
    panel: Panel
    before: dict  # the panel as drawn
    leaving: str  # a covered member (some alternate can take the seat)
    pkg: Package
    out: Any = None  # the decline's outcome
    after: dict = field(default_factory=dict)  # the panel after the decline


@pytest.fixture
def drawn(s: Session, seeds: SeedSequence) -> Flow:
    meeting = small_meeting(s)
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    before = svc.result_of(panel)
    # A covered member (not in `uncovered`): some alternate can take the seat.
    leaving = next(m for m in before["members"] if m not in before["uncovered"])
    return Flow(meeting, panel, before, leaving, parse_package(svc.package_of(panel)))


@pytest.fixture
def declined(s: Session, drawn: Flow) -> Flow:
    drawn.out = svc.decline(s, drawn.panel, drawn.leaving, "出差无法参会", ZJJ)
    drawn.after = svc.result_of(drawn.panel)
    return drawn


@pytest.fixture
def sealed(s: Session, declined: Flow) -> Flow:
    svc.seal(s, declined.panel, ZJJ)
    return declined


def test_uncovered_members_are_those_no_alternate_can_replace(drawn: Flow) -> None:
    before = drawn.before
    assert before["uncovered"] == brute.uncovered(
        drawn.pkg, before["members"], before["alternates"]
    )


def test_decline_needs_a_reason(s: Session, drawn: Flow) -> None:
    with pytest.raises(UserError, match="请辞理由"):
        svc.decline(s, drawn.panel, drawn.leaving, " ", ZJJ)


def test_decline_is_filled_by_the_first_fitting_alternate(s: Session, declined: Flow) -> None:
    before, after, out, leaving, panel = (
        declined.before,
        declined.after,
        declined.out,
        declined.leaving,
        declined.panel,
    )
    expected = brute.replacement(declined.pkg, before["members"], leaving, before["alternates"])
    # The contract: the first alternate, in list order, whose substitution keeps compliance.
    assert out.how == "alternate" and out.by == expected
    assert leaving not in after["members"] and out.by in after["members"]
    assert out.by not in after["alternates"]
    assert after["replacements"] == [{"declined": leaving, "by": out.by, "how": "alternate"}]
    assert after["original"]["members"] == before["members"]
    seat = next(x for x in panel.seats if x.expert.code == leaving)
    assert seat.state == "declined" and seat.reason == "出差无法参会" and seat.changed_at
    used = next(x for x in panel.seats if x.expert.code == out.by and x.role == "alternate")
    assert used.state == "used"
    assert any(
        x.expert.code == out.by and x.role == "member" and x.state == "active" for x in panel.seats
    )
    assert svc.verification_report(panel).ok
    with pytest.raises(UserError, match="不是本评委会的在任评委"):
        svc.decline(s, panel, leaving, "再次", ZJJ)


def test_seal_counts_service_for_rotation_and_refuses_every_change(
    s: Session, sealed: Flow, seeds: SeedSequence
) -> None:
    meeting, panel, after = sealed.meeting, sealed.panel, sealed.after
    assert panel.status == "sealed" and panel.sealed_by == "zjj"
    # Sealing records no attendance (the meeting has not happened yet) ...
    records = s.scalars(
        select(ServiceRecord).where(
            ServiceRecord.committee_id == meeting.committee_id, ServiceRecord.year == 2024
        )
    ).all()
    assert records == []
    # ... but the sealed members have served 2024 for rotation (draw-format `served`).
    ids = {s.get(Expert, i).code: i for i in [x.expert_id for x in panel.seats]}
    served = served_years(s, meeting.committee_id, list(ids.values()))
    assert sorted(c for c, i in ids.items() if 2024 in served.get(i, [])) == after["members"]
    for attempt in (
        lambda: svc.decline(s, panel, after["members"][0], "理由", ZJJ),
        lambda: svc.seal(s, panel, ZJJ),
        lambda: svc.draw_meeting(s, meeting, ZJJ, seeds=seeds),
        lambda: settings_svc.save_rule_settings(s, meeting, {}, ZJJ),
    ):
        with pytest.raises(UserError, match="已锁定"):
            attempt()


def test_sealed_panel_replays_the_same(s: Session, sealed: Flow) -> None:
    outcome = svc.replay(s, sealed.panel)
    assert outcome.same, outcome.details


def test_no_show_only_once_the_meeting_has_begun(s: Session, sealed: Flow) -> None:
    # No-shows: only once the meeting has begun; recorded on the expert's service record.
    meeting, panel = sealed.meeting, sealed.panel
    absent = sealed.after["members"][1]
    with pytest.raises(UserError, match="尚未开始"):
        svc.record_no_show(s, panel, absent, "未到会", ZJJ, date(2024, 9, 1))
    svc.record_no_show(s, panel, absent, "未到会", ZJJ, meeting.window_start)
    seat = next(x for x in panel.seats if x.expert.code == absent and x.role == "member")
    rec = s.scalar(
        select(ServiceRecord).where(
            ServiceRecord.expert_id == seat.expert_id,
            ServiceRecord.year == 2024,
            ServiceRecord.committee_id == meeting.committee_id,
        )
    )
    assert seat.state == "no_show" and rec is not None and rec.attended is False
    assert audit.verify_chain(s).intact


def test_declines_follow_the_contract_until_no_compliant_panel_is_left(
    s: Session, seeds: SeedSequence
) -> None:
    """Every decline is checked against brute force: the first fitting alternate, else a
    redrawn seat if any compliant completion exists, else the panel ends infeasible."""
    meeting = small_meeting(s)
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    pkg = parse_package(svc.package_of(panel))
    pool = [e.id for e in pkg.experts]
    gone: set[str] = set()
    seen: set[str] = set()
    while panel.status == "drawn":
        before = svc.result_of(panel)
        # Prefer a member no alternate can replace, to reach the redraw branch.
        leaving = next(
            (m for m in before["members"] if m in before["uncovered"]), before["members"][0]
        )
        gone.add(leaving)
        kept = [m for m in before["members"] if m != leaving]
        alternate = brute.replacement(pkg, before["members"], leaving, before["alternates"])
        completions = [
            x for x in pool if x not in gone and x not in kept and complies(pkg, [*kept, x])
        ]
        out = svc.decline(s, panel, leaving, "另有公务", ZJJ)
        after = svc.result_of(panel)
        if alternate is not None:
            assert (out.how, out.by) == ("alternate", alternate)
        elif completions:
            assert out.how == "redraw" and out.by in completions
        else:
            assert panel.status == "infeasible" and out.by is None
            assert f"（{leaving}）请辞后，没有备选专家可递补" in out.message
            assert after["status"] == "infeasible" and after["diagnosis"]
        seen.add(out.how or "infeasible")
    assert "infeasible" in seen
    seat = next(x for x in panel.seats if x.expert.code == leaving and x.role == "member")
    assert seat.state == "declined"
    with pytest.raises(UserError, match="只有已抽出"):
        svc.seal(s, panel, ZJJ)
    with pytest.raises(UserError, match="只能对已抽出"):
        svc.decline(s, panel, kept[0], "理由", ZJJ)
    assert after["members"] == [] and after["alternates"] == []


def test_changes_after_the_draw_block_declines_and_sealing_until_redrawn(
    s: Session, seeds: SeedSequence
) -> None:
    from datetime import datetime

    from expertpool.services import pool as pool_svc
    from expertpool.services.nominations import Actor

    meeting = small_meeting(s)
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    assert svc.changes_since_draw(s, panel) == []
    result = svc.result_of(panel)
    member = result["members"][0]
    applicant = s.scalar(select(Applicant).where(Applicant.meeting_id == meeting.id).limit(1))
    # A conflict declared after the draw: the panel may no longer be compliant.
    app_svc.add_conflict(s, meeting, member, applicant.id, "师生", "", ZJJ)
    with pytest.raises(UserError, match=r"请重新抽取后再锁定：回避登记已变化（新增1条"):
        svc.seal(s, panel, ZJJ)
    other = result["members"][1]
    with pytest.raises(UserError, match="请重新抽取后再登记请辞"):
        svc.decline(s, panel, other, "出差", ZJJ)
    assert panel.status == "drawn" and svc.result_of(panel) == result
    # Redrawn on the current data, it can be sealed; a member blacklisted afterwards blocks it.
    again = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds, reason="回避登记有变化")
    assert panel.status == "void" and svc.changes_since_draw(s, again) == []
    code = svc.result_of(again)["members"][0]
    expert = s.scalar(select(Expert).where(Expert.code == code))
    pool_svc.change_status(
        s, Actor("rsj", "bureau"), expert.id, "黑名单", "违纪", now=datetime(2024, 9, 1)
    )
    changes = svc.changes_since_draw(s, again)
    assert changes == [
        f"评委{expert.name}（{code}）已不能参加抽取（当前状态：黑名单，或已不在本评委会专家库）"
    ]
    with pytest.raises(UserError, match="已不能参加抽取"):
        svc.seal(s, again, ZJJ)
    # Declining that very member is the remedy, not a redraw: it goes through.
    again_result = svc.result_of(again)
    out = svc.decline(s, again, code, "列入黑名单", ZJJ)
    assert out.by and out.by not in again_result["members"]
    # An unused alternate suspended afterwards matters for declines, not for sealing.
    spare = next(a for a in svc.result_of(again)["alternates"])
    spare_expert = s.scalar(select(Expert).where(Expert.code == spare))
    pool_svc.change_status(
        s, Actor("rsj", "bureau"), spare_expert.id, "暂停", "出国", now=datetime(2024, 9, 2)
    )
    assert any(spare in c for c in svc.changes_since_draw(s, again))
    assert svc.changes_since_draw(s, again, members_only=True) == []
    svc.seal(s, again, ZJJ)
    assert again.status == "sealed"
    # Rules changed after the draw.
    meeting = small_meeting(s, "2024-S04")
    third = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    meeting.settings = {**SMALL_RULES, "max_per_unit": 2}
    s.flush()
    assert svc.changes_since_draw(s, third) == ["抽取规则（评委人数、比例等）已修改"]


def test_replay_detects_a_changed_result(s: Session, seeds: SeedSequence) -> None:
    panel = svc.draw_meeting(s, small_meeting(s), ZJJ, seeds=seeds)
    result = svc.result_of(panel)
    result["original"]["members"] = list(reversed(result["original"]["members"]))[:-1] + ["E999999"]
    panel.result_json = json.dumps(result)
    assert not svc.replay(s, panel).same


def test_infeasible_draw_has_diagnosis_and_cannot_be_sealed(
    s: Session, seeds: SeedSequence
) -> None:
    meeting = find_meeting(s, "2024-S01")  # 25 seats from a 30-expert demo pool
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    assert panel.status == "infeasible"
    assert svc.result_of(panel)["diagnosis"][0]["message"]
    with pytest.raises(UserError, match="只有已抽出"):
        svc.seal(s, panel, ZJJ)
    # A redraw voids the earlier unsealed panel.
    meeting.settings = dict(SMALL_RULES)
    second = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    assert panel.status == "void" and svc.current_panel(s, meeting) is second


def test_rule_settings_store_only_differences(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    defaults = settings_svc.level_defaults(meeting)
    form = {
        "panel_size": "11",
        "alternates": "3",
        "min_rank": defaults["min_rank"],
        "min_full_senior_share": "1/2",
        "max_per_unit": "3",
        "recuse_same_unit": "y",
        "min_voters_share": "2/3",
        "min_specialist_voters": "1",
        "max_consecutive_years": "3",
        **{f"spec_{k}": str(v) for k, v in defaults["specialty_demand"].items()},
    }
    settings_svc.save_rule_settings(s, meeting, form, ZJJ)
    assert meeting.settings == {"panel_size": 11}
    bad = dict(form, panel_size="10", min_full_senior_share="3/2", alternates="x")
    with pytest.raises(settings_svc.SettingsError) as info:
        settings_svc.save_rule_settings(s, meeting, bad, ZJJ)
    assert set(info.value.errors) == {"panel_size", "min_full_senior_share", "alternates"}
    # Digits only ASCII: '²' and '١' pass str.isdigit() or \d but are not what a clerk typed.
    odd = dict(form, panel_size="1²", max_per_unit="²", min_full_senior_share="١/٢")
    with pytest.raises(settings_svc.SettingsError) as info:
        settings_svc.save_rule_settings(s, meeting, odd, ZJJ)
    assert set(info.value.errors) == {"panel_size", "max_per_unit", "min_full_senior_share"}
    assert info.value.errors["panel_size"] == "评委人数应为整数"


def _xlsx(rows: list[list[str]], headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers or app_svc.HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_applicant_import_all_or_nothing(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    spec = meeting.committee.specialties[0]
    before = s.scalar(select(func.count()).select_from(Applicant))
    bad = _xlsx(
        [
            ["张三丰", "大连新单位有限公司", "", spec, "工程师"],
            ["李", "大连新单位有限公司", "", spec, ""],
            ["王五", "", "91210200MA0XXXXX1", "不存在的专业", ""],
        ]
    )
    with pytest.raises(app_svc.ApplicantRowErrors) as info:
        app_svc.import_applicants(s, meeting, bad, ZJJ)
    lines = info.value.lines()
    assert any(line.startswith("第3行「姓名」") for line in lines)
    assert any(line.startswith("第4行「申报专业」") for line in lines)
    assert any(line.startswith("第4行「工作单位」") for line in lines)
    assert s.scalar(select(func.count()).select_from(Applicant)) == before
    good = _xlsx(
        [
            ["张三丰", "大连新单位有限公司", "", spec, "工程师"],
            ["李四", "大连新单位有限公司", "", spec, ""],
        ]
    )
    created = app_svc.import_applicants(s, meeting, good, ZJJ)
    assert len(created) == 2 and created[0].unit is created[1].unit
    assert created[0].unit.uscc.startswith("X")
    with pytest.raises(app_svc.ApplicantRowErrors, match="全部未导入"):
        app_svc.import_applicants(s, meeting, good, ZJJ)
    template = load_workbook(io.BytesIO(app_svc.build_template(meeting)))
    assert [c.value.rstrip("*") for c in template["申报人"][1]] == [
        *app_svc.HEADERS,
        *OPTIONAL_HEADERS,
    ]


def test_conflicts_add_and_remove(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    expert = app_svc.committee_pool(s, meeting)[0]
    applicant = app_svc.list_applicants(s, meeting)[0]
    with pytest.raises(UserError, match="回避原因"):
        app_svc.add_conflict(s, meeting, expert.code, applicant.id, "仇人", "", ZJJ)
    conflict = app_svc.add_conflict(s, meeting, expert.code, applicant.id, "师生", "", ZJJ)
    with pytest.raises(UserError, match="登记过"):
        app_svc.add_conflict(s, meeting, expert.code, applicant.id, "师生", "", ZJJ)
    with pytest.raises(UserError, match="没有"):
        app_svc.add_conflict(s, meeting, "不存在的人", applicant.id, "师生", "", ZJJ)
    app_svc.remove_conflict(s, meeting, conflict.id, ZJJ)
    assert s.get(Conflict, conflict.id) is None


def test_store_season_plan(s: Session) -> None:
    from expertpool.services.season import build_season, season_bytes
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    for m in s.scalars(select(Meeting).where(Meeting.year == 2024)):
        m.settings = dict(SMALL_RULES) if m.committee.level == "senior" else {"panel_size": 5}
    s.flush()
    data = season_bytes(build_season(s, 2024))
    plan = plan_season(parse_season(data), "seed-1")
    stored = svc.store_plan(s, 2024, data, plan, RSJ)
    drawn = [c for c, p in plan["panels"].items() if p["status"] == "drawn"]
    assert len(stored) == len(drawn) > 0
    for panel in stored:
        assert svc.verification_report(panel).ok
    # Replaying plans the whole season again; two panels show it, the rest would only repeat it.
    for panel in stored[:2]:
        assert svc.replay(s, panel, season_loader=lambda sha: data).same
    assert not svc.replay(s, stored[0]).same
    assert s.scalar(select(func.count()).select_from(Panel)) == len(drawn)
    assert s.scalar(select(func.count()).select_from(PanelSeat)) > 0
    assert s.scalar(select(func.count()).select_from(Unit)) > 0


def test_season_panels_verify_with_exclusions_recomputed_from_the_recorded_run(
    s: Session,
) -> None:
    from expertpool.services.season import build_season, save_run, season_bytes
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    # Every eligible non-member is asked for as an alternate, so any expert the season keeps
    # off a list (booked on an overlapping meeting) shortens it.
    for meeting in s.scalars(select(Meeting).where(Meeting.year == 2024)):
        meeting.settings = {**(meeting.settings or {}), "alternates": 60}
    s.flush()
    data = season_bytes(build_season(s, 2024, 2))
    plan = plan_season(parse_season(data), "exclusions", 1)
    save_run(s, data, {"year": 2024, "plan": plan, "stored": False}, "rsj")
    stored = svc.store_plan(s, 2024, data, plan, RSJ)
    assert stored
    shortened = []
    for panel in stored:
        assert svc.changes_since_draw(s, panel) == []
        report = svc.verification_report(panel, s)
        assert report.ok, report.text()
        # Without the recorded run, a list the season shortened is not justified.
        alone = svc.verification_report(panel)
        if not alone.ok:
            shortened.append(panel)
            item = next(i for i in alone.items if not i.ok)
            assert item.rule == "alternates" and "verify-season" in item.detail
    assert shortened, "the demo season should shorten some alternate list"
    # A decline keeps the season reference, so the panel still verifies against the run.
    panel = shortened[0]
    result = svc.result_of(panel)
    leaving = next(m for m in result["members"] if m not in result["uncovered"])
    svc.decline(s, panel, leaving, "出差", ZJJ)
    after = svc.result_of(panel)
    assert after["season"] == result["season"] and after["replacements"]
    report = svc.verification_report(panel, s)
    assert report.ok, report.text()


def _overlapping(s: Session, meeting: Meeting) -> list[Meeting]:
    return [
        m
        for m in s.scalars(select(Meeting).where(Meeting.year == meeting.year))
        if m.id != meeting.id
        and m.window_start <= meeting.window_end
        and m.window_end >= meeting.window_start
    ]


def test_one_at_a_time_draws_never_book_anybody_twice_in_the_same_days(
    s: Session, seeds: SeedSequence
) -> None:
    first = small_meeting(s)
    panel = svc.draw_meeting(s, first, ZJJ, seeds=seeds)
    members = set(svc.result_of(panel)["members"])
    others = _overlapping(s, first)
    assert others
    shared = 0
    for other in others:
        other.settings = (
            dict(SMALL_RULES) if other.committee.level == "senior" else {"panel_size": 5}
        )
        s.flush()
        p = svc.draw_meeting(s, other, ZJJ, seeds=seeds)
        listed = {e["id"]: e for e in json.loads(p.package_json)["experts"]}
        for code in members & set(listed):
            shared += 1
            assert listed[code]["available"] is False
        assert not members & set(svc.result_of(p)["members"])
    assert shared, "the demo pools should share experts across overlapping committees"


def test_a_replacement_seated_on_an_overlapping_panel_is_refused(
    s: Session, seeds: SeedSequence
) -> None:
    meeting = small_meeting(s)
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    result = svc.result_of(panel)
    pkg = parse_package(svc.package_of(panel))
    leaving = next(m for m in result["members"] if m not in result["uncovered"])
    by = brute.replacement(pkg, result["members"], leaving, result["alternates"])
    # Meanwhile another office's draw for overlapping days seated that alternate.
    other = _overlapping(s, meeting)[0]
    other.settings = {"panel_size": 5, "min_full_senior_share": "1/5"}
    s.flush()
    other_panel = svc.draw_meeting(s, other, ZJJ, seeds=seeds)
    expert = s.scalar(select(Expert).where(Expert.code == by))
    other_panel.seats.append(PanelSeat(expert_id=expert.id, role="member", position=99))
    s.flush()
    with pytest.raises(UserError, match=f"{by}已在时间重叠的另一例会任评委"):
        svc.decline(s, panel, leaving, "出差", ZJJ)
    assert svc.result_of(panel)["members"] == result["members"]


def test_season_leaves_sealed_meetings_as_they_are(s: Session, seeds: SeedSequence) -> None:
    from expertpool.services.season import build_season, save_run, season_bytes
    from solver.season.package import parse_season
    from solver.season.plan import plan_season

    sealed_meeting = small_meeting(s)
    panel = svc.draw_meeting(s, sealed_meeting, ZJJ, seeds=seeds)
    svc.seal(s, panel, ZJJ)
    members = set(svc.result_of(panel)["members"])
    overlapping = {m.code for m in _overlapping(s, sealed_meeting)}
    doc = build_season(s, 2024, 2)
    assert sealed_meeting.code not in {m["id"] for m in doc["meetings"]}
    for e in doc["experts"]:
        if e["id"] in members:
            assert not set(e["pools"]) & overlapping
    data = season_bytes(doc)
    plan = plan_season(parse_season(data), "sealed", 1)
    save_run(s, data, {"year": 2024, "plan": plan, "stored": False}, "rsj")
    stored = svc.store_plan(s, 2024, data, plan, RSJ)
    assert stored and svc.current_panel(s, sealed_meeting) is panel
    for p in stored:
        assert svc.verification_report(p, s).ok
        if p.meeting.code in overlapping:
            assert not members & set(svc.result_of(p)["members"])


def test_rules_off_their_defaults_and_a_panel_below_the_legal_minimum_are_shown(
    s: Session, seeds: SeedSequence
) -> None:
    meeting = small_meeting(s)  # S01, formed by series: 11 seats, 正高级 1/4
    assert meeting.committee.level == "senior" and not meeting.committee.narrow
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    notes = settings_svc.rule_notes(panel)
    assert notes[:2] == ["评委人数：本次为11，默认为25", "正高级占比：本次为1/4，默认为1/2"]
    assert "少于人社部令第40号对按系列组建的高级评审委员会规定的25人" in notes[-1]
    # Judged against the defaults of that draw: later applicant changes do not rewrite it.
    for a in s.scalars(select(Applicant).where(Applicant.meeting_id == meeting.id)).all()[:40]:
        app_svc.remove_applicant(s, meeting, a.id, ZJJ)
    assert settings_svc.rule_notes(panel) == notes
    # A committee formed on one or two specialties: 11 is its default and its minimum.
    narrow = small_meeting(s, "2024-S04")
    assert narrow.committee.narrow
    notes = settings_svc.rule_notes(svc.draw_meeting(s, narrow, ZJJ, seeds=seeds))
    assert notes == ["正高级占比：本次为1/4，默认为1/2"]
    meeting.settings = {}
    s.flush()
    default = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds, reason="恢复默认规则")
    assert settings_svc.rule_notes(default) == []
