"""The age rules from the office form to the draw: settings saved and refused, birth dates
exported only when an age rule applies, and the draw and the verifier respecting them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory
from expertpool.models import Meeting
from expertpool.seeds import SeedSequence
from expertpool.services import meeting_settings as settings_svc
from expertpool.services import panels as svc
from expertpool.services.packages import (
    build_package,
    effective_rules,
    find_meeting,
    package_bytes,
    pool_experts,
)
from expertpool.services.season import build_season, season_bytes
from expertpool.validators import id_card_birth_date
from solver.contract import age_on
from solver.package import parse_package
from solver.season.package import parse_season
from tests.builders import ZJJ

SMALL = {"panel_size": 11, "min_full_senior_share": "1/4", "specialty_demand": {}}


@pytest.fixture
def s(demo_db: Engine) -> Session:
    session = make_session_factory(demo_db)()
    yield session
    session.rollback()
    session.close()


def _form(meeting: Meeting, **changes: str) -> dict[str, str]:
    """The form as the office page shows it for the current settings, with changes."""
    values = settings_svc.form_values(effective_rules(meeting), meeting.committee.specialties)
    return dict(values, **changes)


def test_valid_age_settings_are_saved(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    form = _form(
        meeting, max_age="65", min_share_under_age_age="55", min_share_under_age_share="1/3"
    )
    rules = settings_svc.save_rule_settings(s, meeting, form, ZJJ)
    assert meeting.settings == {"max_age": 65, "min_share_under_age": {"age": 55, "share": "1/3"}}
    assert rules["max_age"] == 65
    # Shown back on the form as saved, marked as changed, with the default 不限.
    rows = {r.key: r for r in settings_svc.rule_form(meeting)}
    assert rows["max_age"].inputs[0].value == "65" and rows["max_age"].overridden
    age, share = rows["min_share_under_age"].inputs
    assert (age.name, age.value, share.name, share.value) == (
        "min_share_under_age_age",
        "55",
        "min_share_under_age_share",
        "1/3",
    )
    # Clearing both switches the rules off again: nothing is stored.
    settings_svc.save_rule_settings(
        s,
        meeting,
        _form(meeting, max_age="", min_share_under_age_age="", min_share_under_age_share=""),
        ZJJ,
    )
    assert meeting.settings == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"max_age": "120"}, "max_age", "专家年龄上限应在30到100之间"),
        ({"max_age": "29"}, "max_age", "专家年龄上限应在30到100之间"),
        ({"max_age": "六十"}, "max_age", "专家年龄上限应为整数"),
        (
            {"min_share_under_age_age": "55", "min_share_under_age_share": "3/2"},
            "min_share_under_age_share",
            "中青年评委比例的比例应为0到1之间的分数",
        ),
        (
            {"min_share_under_age_age": "55", "min_share_under_age_share": "一半"},
            "min_share_under_age_share",
            "应写成分数",
        ),
        (
            {"min_share_under_age_age": "55", "min_share_under_age_share": ""},
            "min_share_under_age_share",
            "中青年评委比例的比例",
        ),
        (
            {"min_share_under_age_age": "", "min_share_under_age_share": "1/2"},
            "min_share_under_age_age",
            "中青年评委比例的年龄不能为空",
        ),
        (
            {"min_share_under_age_age": "101", "min_share_under_age_share": "1/2"},
            "min_share_under_age_age",
            "应在30到100之间",
        ),
    ],
)
def test_bad_age_settings_name_the_field_and_change_nothing(
    s: Session, changes: dict[str, str], field: str, message: str
) -> None:
    meeting = find_meeting(s, "2024-S01")
    meeting.settings = {"panel_size": 11}
    s.flush()
    with pytest.raises(settings_svc.SettingsError) as info:
        settings_svc.save_rule_settings(s, meeting, _form(meeting, **changes), ZJJ)
    assert list(info.value.errors) == [field]
    assert message in info.value.errors[field]
    assert meeting.settings == {"panel_size": 11}


def test_rule_form_lists_every_registry_parameter_with_its_source(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    rows = settings_svc.rule_form(meeting)
    assert [r.key for r in rows] == list(settings_svc.RULE_FIELDS)
    by_key = {r.key: r for r in rows}
    assert by_key["max_age"].label == "专家年龄上限" and by_key["max_age"].default == "不限"
    assert "未找到辽宁省" in by_key["max_age"].clause
    assert (by_key["max_age"].form_min, by_key["max_age"].form_max) == (30, 100)
    assert by_key["min_share_under_age"].label == "中青年评委比例"
    assert by_key["min_share_under_age"].default == "不限"
    assert "仅对该省核实" in by_key["min_share_under_age"].clause
    assert by_key["panel_size"].default == "25" and by_key["min_rank"].options


def test_birth_dates_exported_only_with_an_age_rule_and_the_draw_respects_them(
    s: Session, seeds: SeedSequence
) -> None:
    meeting = find_meeting(s, "2024-S01")
    meeting.settings = dict(SMALL)
    s.flush()
    before = package_bytes(build_package(s, meeting))
    season_before = season_bytes(build_season(s, 2024))
    assert b"birth_date" not in before and b"birth_date" not in season_before

    cap = 58
    meeting.settings = dict(SMALL, max_age=cap)
    s.flush()
    package = build_package(s, meeting)
    day = date.fromisoformat(package["meeting"]["window"][0])
    ages = {}
    for entry, expert in zip(package["experts"], pool_experts(s, meeting.committee), strict=True):
        assert entry["birth_date"] == id_card_birth_date(expert.id_card).isoformat()
        ages[entry["id"]] = age_on(date.fromisoformat(entry["birth_date"]), day)
    assert any(a > cap for a in ages.values()), "the demo pool should have experts over the cap"
    parse_package(package_bytes(package))  # valid draw/1 with the age rule

    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    result = svc.result_of(panel)
    assert result["status"] == "drawn", result["diagnosis"]
    assert all(ages[e] <= cap for e in result["members"] + result["alternates"])
    assert svc.verification_report(panel, s).ok
    assert b'"birth_date"' in svc.package_of(panel)

    # A season carries birth dates for every expert once one meeting needs them.
    season = build_season(s, 2024)
    assert all("birth_date" in e for e in season["experts"])
    parse_season(season_bytes(season))

    # Switching the rule off again gives back the very same bytes.
    meeting.settings = dict(SMALL)
    s.flush()
    assert package_bytes(build_package(s, meeting)) == before
    assert season_bytes(build_season(s, 2024)) == season_before


def test_demo_birth_years_are_plausible(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    meeting.settings = {"max_age": 100}
    s.flush()
    package = json.loads(package_bytes(build_package(s, meeting)))
    day = date.fromisoformat(package["meeting"]["window"][0])
    ages = [age_on(date.fromisoformat(e["birth_date"]), day) for e in package["experts"]]
    assert ages and all(30 <= a <= 70 for a in ages)
