"""Applicant import: the optional 申报级别 / 高技能人才 / 职业技能等级 / 评审分组 columns."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from expertpool.db import make_session_factory
from expertpool.services import applicants as app_svc
from expertpool.services.packages import build_package, find_meeting, package_bytes
from solver.package import parse_package
from tests.builders import ZJJ

OLD = ["姓名", "工作单位", "统一社会信用代码", "申报专业", "现职称"]


@pytest.fixture
def s(db: Engine) -> Iterator[Session]:
    session = make_session_factory(db)()
    yield session
    session.rollback()
    session.close()


def sheet(headers: list[str], rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "申报人"
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_has_the_optional_columns(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    ws = load_workbook(io.BytesIO(app_svc.build_template(meeting)))["申报人"]
    heads = [c.value for c in ws[1]]
    assert heads[-4:] == ["申报级别", "高技能人才", "职业技能等级", "评审分组"]


def test_old_templates_still_import(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    spec = meeting.committee.specialties[0]
    made = app_svc.import_applicants(
        s, meeting, sheet(OLD, [["张三", "大连某公司", "", spec, "工程师"]]), ZJJ
    )
    assert made[0].apply_level == "" and made[0].high_skill is False


def test_optional_columns_are_read_and_checked(s: Session) -> None:
    meeting = find_meeting(s, "2024-S01")
    spec = meeting.committee.specialties[0]
    heads = [*OLD, "申报级别", "高技能人才", "职业技能等级", "评审分组"]
    bad = [
        ["李四", "大连某公司", "", spec, "", "教授级", "是", "", ""],
        ["王五", "大连某公司", "", spec, "", "", "也许", "", ""],
    ]
    with pytest.raises(app_svc.ApplicantRowErrors) as info:
        app_svc.import_applicants(s, meeting, sheet(heads, bad), ZJJ)
    lines = info.value.lines()
    assert any("第2行「申报级别」" in x for x in lines)
    assert any("第2行「职业技能等级」" in x for x in lines)
    assert any("第3行「高技能人才」" in x for x in lines)
    good = [["李四", "大连某公司", "", spec, "", "正高级", "是", "高级技师", "高技能人才组"]]
    made = app_svc.import_applicants(s, meeting, sheet(heads, good), ZJJ)
    a = made[0]
    assert (a.apply_level, a.high_skill, a.skill_level, a.review_group) == (
        "正高级",
        True,
        "高级技师",
        "高技能人才组",
    )


def test_review_group_column_feeds_the_group_rule(s: Session) -> None:
    """评审分组 is the applicant's 评议组: exported as `group` once the office uses groups."""
    meeting = find_meeting(s, "2024-S01")
    spec = meeting.committee.specialties[0]
    heads = [*OLD, "申报级别", "高技能人才", "职业技能等级", "评审分组"]
    with_col = app_svc.import_applicants(
        s,
        meeting,
        sheet(heads, [["赵一甲", "大连某公司", "", spec, "", "", "", "", "结构组"]]),
        ZJJ,
    )
    without = app_svc.import_applicants(
        s, meeting, sheet(OLD, [["钱二乙", "大连某公司", "", spec, "工程师"]]), ZJJ
    )
    meeting.settings = {"min_group_members": 1, "groups": {"结构组": [spec]}}
    s.flush()
    doc = build_package(s, meeting)
    by_id = {a["id"]: a for a in doc["applicants"]}
    assert by_id[with_col[0].code]["group"] == "结构组"
    assert "group" not in by_id[without[0].code]
    pkg = parse_package(package_bytes(doc))
    assert pkg.groups == (("结构组", (spec,)),)
