"""The meeting day service: 签到, votes, corrections, stale saves, pass rates, close, the
exported record against the independent verifier, reopen and 备案 state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory
from expertpool.errors import UserError
from expertpool.models import AuditEvent, Meeting, ServiceRecord
from expertpool.seeds import SeedSequence
from expertpool.services import audit
from expertpool.services import meeting_record as mr
from expertpool.services import panels as svc
from expertpool.services.packages import effective_rules, find_meeting
from tests.builders import RSJ, ZJJ

DAY = date(2024, 10, 22)


@pytest.fixture
def s(demo_db: Engine) -> Iterator[Session]:
    session = make_session_factory(demo_db)()
    yield session
    session.rollback()
    session.close()


def sealed(s: Session, seeds: SeedSequence) -> Meeting:
    meeting = find_meeting(s, "2024-S01")
    meeting.settings = {"panel_size": 11, "min_full_senior_share": "1/4"}
    s.flush()
    assert len(meeting.applicants) >= 4
    meeting.applicants[0].high_skill = True
    meeting.applicants[0].skill_level = "高级技师"
    meeting.applicants[1].apply_level = "正高级"
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    svc.seal(s, panel, ZJJ)
    return meeting


def sign_in(s: Session, meeting: Meeting, absent: dict[str, mr.Mark]) -> list[str]:
    day = mr.open_day(s, meeting)
    codes = [x.expert.code for x in mr.seated(s, day)]
    marks = {c: absent.get(c, mr.Mark(True)) for c in codes}
    mr.save_attendance(s, meeting, marks, ZJJ, DAY, version=day.version)
    return codes


def all_yes(s: Session, meeting: Meeting, passing: int) -> dict[str, mr.Counts]:
    day = mr.open_day(s, meeting)
    out = {}
    for i, app in enumerate(meeting.applicants):
        n = mr.voters(day, app)
        out[app.code] = mr.Counts(n, 0, 0) if i < passing else mr.Counts(0, n, 0)
    return out


def test_attendance_votes_close_and_the_record_verifies(s: Session, seeds: SeedSequence) -> None:
    meeting = sealed(s, seeds)
    day = mr.open_day(s, meeting)
    codes = [x.expert.code for x in mr.seated(s, day)]
    with pytest.raises(UserError, match="尚未开始"):
        mr.save_attendance(s, meeting, {}, ZJJ, date(2024, 9, 1), version=day.version)
    with pytest.raises(UserError, match="缺席原因"):
        mr.save_attendance(
            s, meeting, {codes[0]: mr.Mark(False, "随便")}, ZJJ, DAY, version=day.version
        )
    sign_in(s, meeting, {codes[0]: mr.Mark(False, "因病")})
    record = s.scalar(
        select(ServiceRecord).where(
            ServiceRecord.expert_id == mr.seated(s, day)[0].expert.id,
            ServiceRecord.year == 2024,
            ServiceRecord.committee_id == meeting.committee_id,
        )
    )
    assert record is not None and record.attended is False and "因病" in record.note
    # A correction needs its reason; then the member counts as present again.
    with pytest.raises(UserError, match="更正原因"):
        mr.save_attendance(s, meeting, {codes[0]: mr.Mark(True)}, ZJJ, DAY, version=day.version)
    mr.save_attendance(
        s, meeting, {codes[0]: mr.Mark(True)}, ZJJ, DAY, version=day.version, correction="误登"
    )
    assert record.attended is True and len(day.corrections) == 1
    n = len(meeting.applicants)
    votes = all_yes(s, meeting, n // 2)
    first = meeting.applicants[0].code
    bad = dict(votes)
    bad[first] = mr.Counts(votes[first].yes + 1, 0, 0)
    with pytest.raises(mr.RowErrors, match="应等于表决评委人数"):
        mr.save_votes(s, meeting, bad, ZJJ, version=day.version)
    assert not day.tallies  # all or nothing
    version = day.version
    mr.save_votes(s, meeting, votes, ZJJ, version=version)
    with pytest.raises(mr.StaleVersion):  # a second clerk with the numbers read before
        mr.save_votes(s, meeting, {first: mr.Counts(0, 11, 0)}, ZJJ, version=version)
    rate = mr.stats(s, day)
    assert rate.overall.passed == n // 2 and rate.counted.cap is not None
    assert rate.high_skill.voted == 1 and any(x.label == "正高级" for x in rate.by_level)
    mr.close(s, meeting, ZJJ, ended_on=DAY, version=day.version)
    assert day.state == "closed"
    with pytest.raises(UserError, match="已结束"):
        mr.save_votes(s, meeting, votes, ZJJ, version=day.version)
    doc = json.loads(mr.record_bytes(s, day))
    assert doc["format"] == "expertpool.meeting/1" and doc["rules"]["max_pass_rate"] == "1/2"
    assert doc["votes"][0].get("group") == "高技能人才"
    report = mr.check_stored(s, day)
    assert report.ok, report.text()
    assert audit.verify_chain(s).intact
    assert s.scalar(select(AuditEvent).where(AuditEvent.action == "meeting_close"))


def test_above_the_cap_needs_an_explanation_and_the_bureau_reopens(
    s: Session, seeds: SeedSequence
) -> None:
    meeting = sealed(s, seeds)
    sign_in(s, meeting, {})
    day = mr.open_day(s, meeting)
    mr.save_votes(s, meeting, all_yes(s, meeting, len(meeting.applicants)), ZJJ, version=None)
    with pytest.raises(UserError, match="超过上限"):
        mr.close(s, meeting, ZJJ, ended_on=DAY, version=None)
    mr.close(s, meeting, ZJJ, ended_on=DAY, explanation="申报人均为破格推荐", version=None)
    assert mr.check_stored(s, day).ok
    with pytest.raises(UserError, match="市人社局"):
        mr.reopen(s, meeting, ZJJ, "改票")
    mr.reopen(s, meeting, RSJ, "核对票数")
    assert day.state == "open" and day.corrections[-1].what == "重新打开"


def test_quorum_is_checked_before_votes(s: Session, seeds: SeedSequence) -> None:
    meeting = sealed(s, seeds)
    day = mr.open_day(s, meeting)
    codes = [x.expert.code for x in mr.seated(s, day)]
    sign_in(s, meeting, {c: mr.Mark(False, "因公") for c in codes[:4]})  # 7 of 11 < 8
    with pytest.raises(UserError, match="不足法定人数8名"):
        mr.save_votes(s, meeting, {}, ZJJ, version=None)


def test_record_absence_routes_through_attendance(s: Session, seeds: SeedSequence) -> None:
    meeting = sealed(s, seeds)
    panel = svc.current_panel(s, meeting)
    assert panel is not None
    code = svc.result_of(panel)["members"][0]
    mr.record_absence(s, panel, code, "临时出差", ZJJ, DAY)
    row = mr.attendance_by_code(mr.open_day(s, meeting))[code]
    assert row.present is False and row.reason == "其他" and row.note == "临时出差"
    seat = next(x for x in panel.seats if x.expert.code == code and x.role == "member")
    assert seat.state == "no_show"
    with pytest.raises(UserError, match="已登记过"):
        mr.record_absence(s, panel, code, "因病", ZJJ, DAY)


def test_filing_states_and_deadline(s: Session, seeds: SeedSequence) -> None:
    meeting = sealed(s, seeds)
    meeting.window_start, meeting.window_end = date(2024, 9, 26), date(2024, 9, 27)
    assert mr.filing(s, meeting, date(2024, 9, 20)).state == "未举行"
    sign_in(s, meeting, {})
    assert mr.filing(s, meeting, DAY).state == "已举行"
    mr.save_votes(s, meeting, all_yes(s, meeting, 1), ZJJ, version=None)
    mr.close(s, meeting, ZJJ, ended_on=date(2024, 9, 27), version=None)
    state = mr.filing(s, meeting, date(2024, 10, 30))
    assert state.state == "已结束记录" and state.deadline.day == date(2024, 10, 30)
    assert mr.filing(s, meeting, date(2024, 10, 31)).state == "逾期"
    with pytest.raises(UserError, match="市人社局"):
        mr.mark_filed(s, meeting, ZJJ, date(2024, 10, 29))
    mr.mark_filed(s, meeting, RSJ, date(2024, 10, 29))
    done = mr.filing(s, meeting, date(2024, 11, 5))
    assert done.state == "已备案" and done.on_time is True


def test_review_mode_default_and_bureau_setting(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    mode = mr.review_mode(s, meeting.committee)
    assert mode.mode == "评聘分开" and mode.is_default
    mr.set_review_mode(s, meeting.committee, "评聘结合", RSJ)
    assert mr.meeting_rules(s, meeting)["max_pass_rate"] is None
    with pytest.raises(UserError):
        mr.set_review_mode(s, meeting.committee, "评聘分开", ZJJ)


def test_uncovered_year_calendar_is_entered_by_the_bureau(s: Session) -> None:
    assert mr.deadline_after(s, date(2031, 11, 28)).day is None
    with pytest.raises(UserError, match="不是日期"):
        mr.save_year(s, 2031, "2031-13-01", "", RSJ)
    mr.save_year(s, 2031, "2031-12-01, 2031-12-02", "2031-11-29", RSJ)
    assert mr.deadline_after(s, date(2031, 11, 28)).day == date(2031, 12, 29)


def _rules_form(**changes: str) -> dict[str, str]:
    form = {
        "quorum_share": "2/3",
        "pass_share": "2/3",
        "max_pass_rate": "1/2",
        "pass_rate_counts": "all",
    }
    return form | changes


def test_the_office_edits_the_vote_rules(s: Session, seeds: SeedSequence) -> None:
    meeting = sealed(s, seeds)
    sign_in(s, meeting, {})
    day = mr.open_day(s, meeting)
    app = meeting.applicants[1]
    n = mr.voters(day, app)
    half = (n + 1) // 2  # passes at 1/2, not at 2/3
    mr.save_votes(s, meeting, {app.code: mr.Counts(half, n - half, 0)}, ZJJ, version=None)
    tally = day.tallies[0]
    assert tally.passed is False
    rules = mr.save_rules(
        s,
        meeting,
        _rules_form(
            pass_share="2/4",
            quorum_share="3/4",
            max_pass_rate=" ",
            pass_rate_counts="excluding_groups",
        ),
        ZJJ,
    )
    assert rules == {
        "quorum_share": "3/4",
        "pass_share": "1/2",
        "max_pass_rate": None,
        "pass_rate_counts": "excluding_groups",
    }
    assert mr.meeting_rules(s, meeting) == rules and tally.passed is True
    assert mr.stats(s, day).counted.cap is None
    event = s.scalars(
        select(AuditEvent).where(AuditEvent.action == "settings").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    detail = event.detail
    assert detail["before"]["pass_share"] == "2/3" and detail["after"]["pass_share"] == "1/2"
    # the draw rules are untouched by the vote rules
    assert "meeting_rules" not in effective_rules(meeting)
    rows = {r.key: r for r in mr.rule_rows(s, meeting)}
    assert rows["pass_share"].default == "2/3" and "人社部令第40号" in rows["pass_share"].source


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("pass_share", "3/2", "通过所需同意票应大于0且不超过1"),
        ("quorum_share", "abc", "出席法定人数应为“a/b”形式的分数"),
        ("quorum_share", "", "出席法定人数应为“a/b”形式的分数"),
        ("max_pass_rate", "0/3", "通过率上限应大于0且不超过1"),
        ("pass_rate_counts", "some", "通过率计算范围应为"),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_changes(
    s: Session, seeds: SeedSequence, field: str, text: str, message: str
) -> None:
    meeting = sealed(s, seeds)
    before = mr.meeting_rules(s, meeting)
    with pytest.raises(UserError, match=message) as exc:
        mr.save_rules(s, meeting, _rules_form(**{"pass_share": "1/2", field: text}), ZJJ)
    assert exc.value.field == field
    assert mr.meeting_rules(s, meeting) == before


def test_a_closed_record_refuses_rule_changes(s: Session, seeds: SeedSequence) -> None:
    meeting = sealed(s, seeds)
    sign_in(s, meeting, {})
    votes = all_yes(s, meeting, len(meeting.applicants) // 2)
    mr.save_votes(s, meeting, votes, ZJJ, version=None)
    mr.close(s, meeting, ZJJ, ended_on=DAY, version=None)
    with pytest.raises(UserError, match="已结束"):
        mr.save_rules(s, meeting, _rules_form(pass_share="1/2"), ZJJ)
    with pytest.raises(UserError, match="办事机构"):
        mr.save_rules(s, meeting, _rules_form(), RSJ)
    assert mr.meeting_rules(s, meeting)["pass_share"] == "2/3"


def test_the_record_verifies_under_changed_rules(s: Session, seeds: SeedSequence) -> None:
    meeting = sealed(s, seeds)
    sign_in(s, meeting, {})
    day = mr.open_day(s, meeting)
    mr.save_rules(s, meeting, _rules_form(pass_share="1/2", max_pass_rate=""), ZJJ)
    votes = {}
    for app in meeting.applicants:
        n = mr.voters(day, app)
        votes[app.code] = mr.Counts((n + 1) // 2, n - (n + 1) // 2, 0)
    mr.save_votes(s, meeting, votes, ZJJ, version=None)
    assert all(t.passed for t in day.tallies)
    mr.close(s, meeting, ZJJ, ended_on=DAY, version=None)
    doc = json.loads(mr.record_bytes(s, day))
    assert doc["rules"]["pass_share"] == "1/2" and doc["rules"]["max_pass_rate"] is None
    report = mr.check_stored(s, day)
    assert report.ok, report.text()
