"""The 评议组 rule from the office to the draw: groups and k set on the rule form, the
applicants' 评审分组 exported as `group`, the season carrying the groups, and nothing written
(same bytes) while the office uses none."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory
from expertpool.models import Meeting
from expertpool.seeds import SeedSequence
from expertpool.services import meeting_settings as settings_svc
from expertpool.services import panels as svc
from expertpool.services.packages import build_package, effective_rules, find_meeting, package_bytes
from expertpool.services.season import build_season, season_bytes
from expertpool.services.shortfall import report_rows, shortfall_from_package
from solver import registry
from solver.package import parse_package
from solver.season.package import parse_season
from tests.builders import ZJJ

SMALL = {"panel_size": 11, "min_full_senior_share": "1/4", "specialty_demand": {}}


@pytest.fixture
def s(demo_db: Engine) -> Iterator[Session]:
    session = make_session_factory(demo_db)()
    yield session
    session.rollback()
    session.close()


def _form(meeting: Meeting, **changes: str) -> dict[str, str]:
    values = settings_svc.form_values(effective_rules(meeting), meeting.committee.specialties)
    return dict(values, **changes)


def _grouped(s: Session) -> tuple[Meeting, str, str]:
    """2024-S01 with its applicants split into two groups over two committee specialties."""
    meeting = find_meeting(s, "2024-S01")
    meeting.settings = dict(SMALL)
    specs = list(meeting.committee.specialties)
    for i, app in enumerate(sorted(meeting.applicants, key=lambda a: a.code)):
        app.review_group = "结构组" if i % 2 else "设备组"
    s.flush()
    return meeting, specs[0], specs[1]


def test_groups_and_k_saved_exported_drawn_and_verified(s: Session, seeds: SeedSequence) -> None:
    meeting, a, b = _grouped(s)
    before = package_bytes(build_package(s, meeting))
    season_before = season_bytes(build_season(s, 2024))
    assert b'"groups"' not in before and b'"group"' not in before  # 评审分组 alone: no change

    text = f"结构组：{a}\n设备组：{b}、{a}"
    form = _form(meeting, min_group_members="2", groups=text)
    rules = settings_svc.save_rule_settings(s, meeting, form, ZJJ)
    assert rules["min_group_members"] == 2 and "groups" not in rules
    assert meeting.settings["groups"] == {"结构组": [a], "设备组": sorted([a, b])}
    assert (
        settings_svc.groups_form_text(meeting)
        == f"结构组：{a}\n设备组：{'、'.join(sorted([a, b]))}"
    )

    doc = build_package(s, meeting)
    assert doc["groups"] == {"结构组": [a], "设备组": sorted([a, b])}
    assert {x["group"] for x in doc["applicants"]} == {"结构组", "设备组"}
    pkg = parse_package(package_bytes(doc))
    assert pkg.rules.min_group_members == 2

    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    result = svc.result_of(panel)
    assert result["status"] == "drawn", result["diagnosis"]
    members = [pkg.expert_by_id[m] for m in result["members"]]
    assert sum(1 for e in members if a in e.specialties) >= 2
    assert svc.verification_report(panel, s).ok

    season = build_season(s, 2024)
    (m,) = [x for x in season["meetings"] if x["id"] == "2024-S01"]
    assert m["groups"] == doc["groups"]
    parsed = parse_season(season_bytes(season))
    (sm,) = [x for x in parsed.meetings if x.id == "2024-S01"]
    assert dict(sm.pkg.groups) == {"结构组": (a,), "设备组": tuple(sorted([a, b]))}

    # Off again and no groups: the very same bytes as before.
    settings_svc.save_rule_settings(
        s, meeting, _form(meeting, min_group_members="", groups=""), ZJJ
    )
    meeting.settings = dict(SMALL)
    s.flush()
    assert package_bytes(build_package(s, meeting)) == before
    assert season_bytes(build_season(s, 2024)) == season_before


@pytest.mark.parametrize(
    ("text", "k", "words"),
    [
        ("结构组", "", "评议组第1行应写成“组名：专业、专业”"),
        ("结构组：不存在的专业", "", "专业“不存在的专业”不是本评委会的专业"),
        ("结构组：{a}\n结构组：{a}", "", "评议组“结构组”重复"),
        ("结构组：{a}", "1", "申报人的评议组“设备组”未列出其专业"),
    ],
)
def test_bad_groups_are_refused_naming_the_line_and_nothing_changes(
    s: Session, text: str, k: str, words: str
) -> None:
    meeting, a, _b = _grouped(s)
    before = dict(meeting.settings)
    form = _form(meeting, min_group_members=k, groups=text.format(a=a))
    with pytest.raises(settings_svc.SettingsError) as info:
        settings_svc.save_rule_settings(s, meeting, form, ZJJ)
    assert words in info.value.errors["groups"]
    assert meeting.settings == before


def test_k_alone_without_any_applicant_group_is_saved(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    for app in meeting.applicants:
        app.review_group = ""
    s.flush()
    settings_svc.save_rule_settings(s, meeting, _form(meeting, min_group_members="1"), ZJJ)
    doc = json.loads(package_bytes(build_package(s, meeting)))
    assert doc["rules"]["min_group_members"] == 1 and doc["groups"] == {}
    parse_package(package_bytes(doc))  # no applicant names a group: nothing to check


def test_drift_a_changed_group_or_groups_map_is_a_change(s: Session, seeds: SeedSequence) -> None:
    meeting, a, b = _grouped(s)
    form = _form(meeting, min_group_members="1", groups=f"结构组：{a}\n设备组：{b}")
    settings_svc.save_rule_settings(s, meeting, form, ZJJ)
    panel = svc.draw_meeting(s, meeting, ZJJ, seeds=seeds)
    assert svc.changes_since_draw(s, panel) == []
    app = sorted(meeting.applicants, key=lambda x: x.code)[0]
    app.review_group = "结构组" if app.review_group == "设备组" else "设备组"
    s.flush()
    assert any("申报人已变化" in c for c in svc.changes_since_draw(s, panel))
    app.review_group = "结构组" if app.review_group == "设备组" else "设备组"
    settings = dict(meeting.settings)
    settings["groups"] = {"结构组": [a, b], "设备组": [b]}
    meeting.settings = settings
    s.flush()
    assert svc.changes_since_draw(s, panel) == ["评议组及其专业已修改"]


def test_shortfall_reports_each_group(s: Session) -> None:
    meeting, a, b = _grouped(s)
    form = _form(meeting, min_group_members="3", groups=f"结构组：{a}\n设备组：{b}")
    settings_svc.save_rule_settings(s, meeting, form, ZJJ)
    doc = build_package(s, meeting)
    report = shortfall_from_package(doc, list(meeting.committee.specialties), margin=2)
    by_group = {g.group: g for g in report.groups}
    assert set(by_group) == {"结构组", "设备组"}
    pkg = parse_package(package_bytes(doc))
    eligible = [e for e in pkg.experts if registry.ineligibility_reason(pkg, e) is None]
    for name, spec in (("结构组", a), ("设备组", b)):
        g = by_group[name]
        assert g.need == 2 * (3 + 1)
        assert g.eligible == sum(1 for e in eligible if spec in e.specialties)
        assert g.recruit == max(0, g.need - g.usable)
    rows = [r for r in report_rows([report]) if r["scope"] == "评议组"]
    assert [r["item"] for r in rows] == ["结构组", "设备组"]
    # Off: no group rows.
    meeting.settings = dict(SMALL)
    s.flush()
    assert shortfall_from_package(build_package(s, meeting), [], margin=2).groups == []
