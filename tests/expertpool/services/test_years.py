"""Working years: opening 2025 and 2026 from 2024, committees retired and added, pools and
rotation carrying over, and the attachment-table import (all or nothing)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from expertpool.actor import Actor
from expertpool.errors import UserError
from expertpool.models import (
    AuditEvent,
    Committee,
    Expert,
    Meeting,
    PoolMembership,
    ServiceRecord,
    WorkingYear,
)
from expertpool.services import catalogue_sync, packages
from expertpool.services import years as ys
from expertpool.services.nominations import nomination_deadline, year_committees
from expertpool.spreadsheet import workbook_bytes
from solver import parse_package
from solver.rules.max_consecutive_years import MaxConsecutiveYears
from tests.builders import add_unit, card, table_counts

BUREAU = Actor("bureau1", "bureau")
HEADER = "\t".join(ys.HEADERS)
NEW_NAME = "大连市工程系列数字经济行业高级专业技术资格评审委员会"
NEW_ROW = (
    f"1\t{NEW_NAME}\t数据工程、人工智能\t11月中旬\t9月下旬\t大连市数据局\t周海燕\t0411-83600000"
)


def _meeting(session: Session, code: str) -> Meeting:
    meeting = session.scalar(select(Meeting).where(Meeting.code == code))
    assert meeting is not None, code
    return meeting


def _expert(session: Session, code: str, body: str) -> Expert:
    unit = session.scalar(select(Expert.unit_id).limit(1))
    expert = Expert(
        code=code,
        name="测试专家",
        gender="男",
        birth_year=1970,
        id_card=card(body),
        unit_id=unit or add_unit(session).id,
        rank="正高级",
        title_name="正高级工程师",
        series="工程",
        specialties=["建筑工程"],
        phone="13900000000",
        email=f"{code}@example.cn",
        status="在库",
    )
    session.add(expert)
    session.flush()
    return expert


def test_open_year_copies_committees_with_periods_moved(session: Session) -> None:
    s01 = _meeting(session, "2024-S01")
    s01.settings = {"panel_size": 11}
    opened = ys.open_year(session, BUREAU, 2025)
    assert (opened.year, opened.opened_from, opened.state) == (2025, 2024, "open")
    assert session.get(WorkingYear, 2024).state == "closed"  # type: ignore[union-attr]
    copy = _meeting(session, "2025-S01")
    assert copy.committee_id == s01.committee_id
    assert (copy.window_start, copy.window_end) == (date(2025, 10, 21), date(2025, 10, 31))
    assert copy.dossier_deadline == date(2025, 8, 31)  # 8月下旬, as the catalogue reads it
    assert copy.settings == {"panel_size": 11}
    assert copy.profile["contact"] == "康长平"
    assert nomination_deadline(session, 2025) == datetime(2025, 7, 31, 23, 59, 59)
    assert len(year_committees(session, 2025)) == 30
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "year_open")).one()
    assert event.target == "2025年度" and event.detail["from"] == 2024


def test_exact_dates_move_to_a_working_day(session: Session) -> None:
    s01 = _meeting(session, "2024-S01")
    s01.period_text = ""  # the office gave exact dates instead of a 旬
    s01.window_start, s01.window_end = date(2024, 10, 23), date(2024, 10, 25)
    s01.dossier_deadline = date(2024, 8, 30)  # a Friday; 2025-08-30 is a Saturday
    s01.profile = {**s01.profile, "dossier_period": ""}
    ys.open_year(session, BUREAU, 2025)
    copy = _meeting(session, "2025-S01")
    assert (copy.window_start, copy.window_end) == (date(2025, 10, 23), date(2025, 10, 25))
    assert copy.dossier_deadline == date(2025, 8, 29)


def test_opening_refuses_gaps_repeats_and_non_bureau(session: Session) -> None:
    with pytest.raises(UserError, match="只有市人社局"):
        ys.open_year(session, Actor("office1", "office"), 2025)
    with pytest.raises(UserError, match="只能在最新的2024年度基础上开启2025年度"):
        ys.open_year(session, BUREAU, 2026)
    ys.open_year(session, BUREAU, 2025)
    with pytest.raises(UserError, match="2025年度已经开启"):
        ys.open_year(session, BUREAU, 2025)


def test_rollover_2024_2025_2026_with_retired_and_added_committee(session: Session) -> None:
    ys.open_year(session, BUREAU, 2025)
    retired = _meeting(session, "2025-S21")  # 粮食行业
    ys.retire_committee(session, BUREAU, retired)
    data = ys.CommitteeYearInput(
        "数据工程、人工智能", "11月中旬", "9月下旬", "大连市数据局", "周海燕", "0411-83600000"
    )
    added = ys.add_committee(session, BUREAU, 2025, ys.NewCommittee(NEW_NAME, data))
    assert added.code == "2025-S25"
    assert len(year_committees(session, 2025)) == 30
    ys.open_year(session, BUREAU, 2026, deadline=datetime(2026, 7, 15, 23, 59, 59))
    codes = {m.code for m in ys.year_meetings(session, 2026)}
    assert "2026-S21" not in codes and "2026-S25" in codes and len(codes) == 30
    assert _meeting(session, "2024-S21").year == 2024  # the retired committee's past stays
    new = _meeting(session, "2026-S25")
    assert (new.window_start, new.dossier_deadline) == (date(2026, 11, 11), date(2026, 9, 30))
    assert new.committee.specialties == ["数据工程", "人工智能"]
    assert nomination_deadline(session, 2026) == datetime(2026, 7, 15, 23, 59, 59)
    assert [r.year.year for r in ys.list_years(session)] == [2026, 2025, 2024]
    assert ys.shown_year(session, date(2026, 12, 1)) == 2026
    assert ys.shown_year(session, date(2027, 1, 5)) == 2026  # 2027 not yet opened


def test_only_the_latest_year_is_edited(session: Session) -> None:
    ys.open_year(session, BUREAU, 2025)
    data = ys.CommitteeYearInput(
        "计量、质量", "10月下旬", "8月下旬", "大连市市场监管局", "宋达康", "0411-84358510"
    )
    with pytest.raises(UserError, match="2024年度已结束"):
        ys.edit_committee_year(session, BUREAU, _meeting(session, "2024-S02"), data)
    edited = ys.edit_committee_year(session, BUREAU, _meeting(session, "2025-S02"), data)
    assert edited.committee.specialties == ["计量", "质量"]
    assert _meeting(session, "2024-S02").profile["specialties"] == [
        "计量",
        "质量",
        "标准化",
        "特种设备",
    ]
    bad = ys.CommitteeYearInput("计量", "13月下旬", "8月下旬", "局", "人", "0411-84358510")
    with pytest.raises(UserError, match="月份无效"):
        ys.edit_committee_year(session, BUREAU, _meeting(session, "2025-S02"), bad)


def test_init_again_keeps_the_later_years_committee_data(session: Session) -> None:
    ys.open_year(session, BUREAU, 2025)
    data = ys.CommitteeYearInput(
        "计量、质量", "10月下旬", "8月下旬", "大连市市场监管局", "王新", "0411-84358510"
    )
    ys.edit_committee_year(session, BUREAU, _meeting(session, "2025-S02"), data)
    catalogue_sync.sync_all(session)
    committee = _meeting(session, "2025-S02").committee
    assert (committee.contact, committee.specialties) == ("王新", ["计量", "质量"])


def test_retiring_refuses_a_meeting_in_use(session: Session) -> None:
    from expertpool.models import Applicant

    ys.open_year(session, BUREAU, 2025)
    meeting = _meeting(session, "2025-S01")
    unit = add_unit(session)
    session.add(
        Applicant(
            meeting_id=meeting.id,
            code="A0001",
            name="申报人",
            unit_id=unit.id,
            specialty="建筑工程",
        )
    )
    session.flush()
    with pytest.raises(UserError, match="已有申报人"):
        ys.retire_committee(session, BUREAU, meeting)


def test_pools_and_rotation_carry_over_three_years(session: Session) -> None:
    """Who sat in 2023, 2024 and 2025 is barred in 2026; 2022+2024+2025 is not consecutive."""
    s01 = _meeting(session, "2024-S01")
    barred = _expert(session, "E000001", "21020419700101123")
    free = _expert(session, "E000002", "21020419700101133")
    for expert, served in ((barred, (2023, 2024, 2025)), (free, (2022, 2024, 2025))):
        session.add(PoolMembership(committee_id=s01.committee_id, expert_id=expert.id))
        session.add_all(
            ServiceRecord(expert_id=expert.id, committee_id=s01.committee_id, year=y)
            for y in served
            if y < 2025
        )
    ys.open_year(session, BUREAU, 2025)
    for expert in (barred, free):  # 2025's service, recorded on the 2025 meeting's committee
        session.add(
            ServiceRecord(
                expert_id=expert.id,
                committee_id=_meeting(session, "2025-S01").committee_id,
                year=2025,
            )
        )
    ys.open_year(session, BUREAU, 2026)
    meeting = _meeting(session, "2026-S01")
    pkg_doc = packages.build_package(session, meeting)
    assert pkg_doc["meeting"]["year"] == 2026
    served = {e["id"]: e["served"] for e in pkg_doc["experts"]}
    assert served == {"E000001": [2023, 2024, 2025], "E000002": [2022, 2024, 2025]}
    pkg = parse_package(packages.package_bytes(pkg_doc))
    rule = MaxConsecutiveYears()
    by_id = {e.id: e for e in pkg.experts}
    assert rule.bar_reason(pkg, by_id["E000001"]) is not None
    assert rule.bar_reason(pkg, by_id["E000002"]) is None


def _import(session: Session, text: str, year: int = 2025) -> ys.ImportResult:
    return ys.import_table(session, BUREAU, year, ys.read_table(text=text))


def test_import_pasted_table_updates_and_adds(session: Session) -> None:
    ys.open_year(session, BUREAU, 2025)
    text = "\n".join(
        [
            "附件1",
            "2025年大连市高级评委会例会计划时间表",
            HEADER,
            "2\t大连市工程系列质量技术监督行业高级专业技术资格评审委员会\t计量、质量、标准化、特种设备、检验检测\t11月上旬\t9月上旬\t大连市市场监管局\t宋达康\t0411-84358510",
            "",
            HEADER,
            NEW_ROW.replace("1\t", "25\t", 1),
        ]
    )
    result = _import(session, text)
    assert result.updated == ["2025-S02"] and result.added == ["2025-S25"]
    s02 = _meeting(session, "2025-S02")
    assert (s02.window_start, s02.dossier_deadline) == (date(2025, 11, 1), date(2025, 9, 10))
    assert s02.committee.specialties[-1] == "检验检测"
    assert _meeting(session, "2025-S25").committee.level == "senior"


def test_import_with_a_bad_row_changes_nothing(db: Engine, session: Session) -> None:
    ys.open_year(session, BUREAU, 2025)
    session.commit()
    before = table_counts(db)
    text = "\n".join(
        [
            HEADER,
            "1\t大连市工程系列城乡建设行业高级专业技术资格评审委员会\t建筑工程\t10月下旬\t8月下旬\t大连市住建局\t康长平\t0411-82471711",
            NEW_ROW.replace("11月中旬", "11月末"),
            "x\t大连市某某评审委员会\t\t10月下旬\t12月下旬\t\t张三\t123",
        ]
    )
    with pytest.raises(ys.TableRowErrors) as info:
        _import(session, text)
    lines = info.value.lines()
    assert "第3行「例会时间」：无法识别的时间段“11月末”，应形如“10月下旬”" in lines
    assert "第4行「序号」：序号应为正整数" in lines
    assert any(line.startswith("第4行「评委会名称」") for line in lines)
    assert any(line.startswith("第4行「专业设置」") for line in lines)
    assert any(line.startswith("第4行「电话」") for line in lines)
    assert not any(line.startswith("第2行") for line in lines)
    session.rollback()
    assert table_counts(db) == before
    assert _meeting(session, "2025-S01").committee.specialties[0] == "城乡规划"


def test_import_xlsx_with_the_attachment_columns(session: Session) -> None:
    from openpyxl import Workbook

    ys.open_year(session, BUREAU, 2025)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(ys.HEADERS)
    ws.append(NEW_ROW.split("\t"))
    result = ys.import_table(session, BUREAU, 2025, ys.read_table(data=workbook_bytes(wb)))
    assert result.added == ["2025-S25"]
    ws.append(
        [
            "2",
            "大连市艺术系列中级专业技术资格评审委员会",
            "演员",
            "11月中旬",
            "8月下旬",
            "大连市文旅局",
            "罗志勇",
            "0411-39989986",
        ]
    )
    ws["A3"] = "=1+1"
    with pytest.raises(ys.TableRowErrors) as info:
        ys.import_table(session, BUREAU, 2025, ys.read_table(data=workbook_bytes(wb)))
    assert any("第3行「序号」" in line for line in info.value.lines())


def test_import_without_a_header_says_so(session: Session) -> None:
    with pytest.raises(UserError, match="没有找到表头行"):
        ys.read_table(text="随便什么文字")
    assert session.scalar(select(func.count()).select_from(Committee)) == 30


def test_a_sealed_meetings_dates_stay(demo_session: Session, seeds) -> None:  # type: ignore[no-untyped-def]
    from expertpool.services import panels
    from tests.builders import ZJJ, small_meeting

    meeting = small_meeting(demo_session)
    panels.seal(demo_session, panels.draw_meeting(demo_session, meeting, ZJJ, seeds=seeds), ZJJ)
    later = ys.CommitteeYearInput(
        "建筑工程", "11月下旬", "8月下旬", "大连市住建局", "康长平", "0411-82471711"
    )
    with pytest.raises(UserError, match="已锁定，不能再修改例会时间"):
        ys.edit_committee_year(demo_session, BUREAU, meeting, later)
    same = ys.CommitteeYearInput(
        "建筑工程", "10月下旬", "8月下旬", "大连市住建局", "王新", "0411-82471711"
    )
    assert ys.edit_committee_year(demo_session, BUREAU, meeting, same).committee.contact == "王新"
    row = "\t".join(
        [
            "1",
            meeting.committee.name,
            "建筑工程",
            "11月下旬",
            "8月下旬",
            "大连市住建局",
            "康长平",
            "0411-82471711",
        ]
    )
    with pytest.raises(ys.TableRowErrors, match="全部未导入"):
        _import(demo_session, f"{HEADER}\n{row}", 2024)
