"""xlsx: the template, the all-or-nothing import, formula safety, limits, the pool export."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from expertpool.models import Expert, Unit
from expertpool.services.nominations import Actor, RowErrors, year_committees
from expertpool.spreadsheet import MAX_ROWS, XlsxError, put, workbook_bytes
from expertpool.xlsx.nominations import HEADERS, build_template, import_nominations
from expertpool.xlsx.pool_export import export_pool
from tests.builders import (
    add_unit,
    bad_card,
    card,
    load_xlsx,
    nomination_count,
    nomination_row,
    nomination_workbook,
)

NOW = datetime(2024, 7, 1, 10, 0, 0)


@pytest.fixture
def unit(session: Session) -> Unit:
    return add_unit(session)


@pytest.fixture
def actor(unit: Unit) -> Actor:
    return Actor("unit_a", "unit", unit.id)


def test_template_has_dropdowns_hidden_lists_and_notes(session: Session) -> None:
    wb = load_xlsx(build_template(session, 2024))
    assert wb.sheetnames[0] == "专家推荐"
    ws = wb["专家推荐"]
    assert [c.value for c in ws[1]] == HEADERS
    assert wb["选项"].sheet_state == "hidden"
    committees = year_committees(session, 2024)
    assert wb["选项"]["A1"].value == committees[0].name
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"男,女"' in formulas and '"正高级,副高级,中级"' in formulas
    assert any("选项" in f and "$A$" in f for f in formulas)  # committees from the hidden sheet
    assert any("选项" in f and "$B$" in f for f in formulas)  # specialties from the hidden sheet
    notes = " ".join(str(c.value) for c in wb["填写说明"]["A"])
    assert "5 MB" in notes and "2000行" in notes and "500个字符" in notes


def test_import_all_rows(session: Session, actor: Actor) -> None:
    c = year_committees(session, 2024)
    data = nomination_workbook(
        session,
        [
            nomination_row(session),
            nomination_row(
                session,
                姓名="单田芳",
                身份证号=card("21020419800101125"),
                推荐评委会=f"{c[0].name}；{c[1].name}",
                专业=f"{c[0].specialties[1]}；{c[1].specialties[0]}",
            ),
        ],
    )
    created = import_nominations(session, actor, 2024, data, now=NOW)
    assert [n.name for n in created] == ["曾国明", "单田芳"]
    assert created[1].committee_ids == [c[0].id, c[1].id]


def test_one_bad_row_imports_nothing_and_names_row_and_field(
    session: Session, actor: Actor
) -> None:
    data = nomination_workbook(
        session,
        [
            nomination_row(session),
            nomination_row(session, 姓名="李四", 身份证号=card("21020419800101125")),
            nomination_row(session, 姓名="王五", 身份证号=bad_card(), 个人承诺="否"),
            nomination_row(
                session,
                姓名="赵六",
                身份证号=card("21020419800101141"),
                推荐评委会="不存在的评委会",
            ),
        ],
    )
    with pytest.raises(RowErrors) as info:
        import_nominations(session, actor, 2024, data, now=NOW)
    lines = info.value.lines()
    assert "第4行「身份证号」：校验位错误" in lines
    assert "第4行「个人承诺」：须填写“是”（个人、单位双重承诺）" in lines
    assert any(line.startswith("第5行「推荐评委会」") for line in lines)
    assert not any(line.startswith(("第2行", "第3行")) for line in lines)
    assert nomination_count(session) == 0


def test_formula_cells_are_refused_not_evaluated(session: Session, actor: Actor) -> None:
    values = nomination_row(session)
    values[HEADERS.index("推荐意见")] = '=HYPERLINK("http://evil.example","点击")'
    data = nomination_workbook(session, [values])  # openpyxl stores "=..." as a formula
    with pytest.raises(RowErrors) as info:
        import_nominations(session, actor, 2024, data, now=NOW)
    assert info.value.lines() == ["第2行「推荐意见」：不能使用公式，请填写文本"]


def test_an_id_card_excel_stored_as_a_number_is_named(session: Session, actor: Actor) -> None:
    values = nomination_row(session)
    values[HEADERS.index("身份证号")] = 210202198001011234  # what Excel keeps: 2.10202198001011E+17
    data = nomination_workbook(session, [values])
    with pytest.raises(RowErrors) as info:
        import_nominations(session, actor, 2024, data, now=NOW)
    assert info.value.lines() == [
        "第2行「身份证号」：被Excel存成了数字（末几位已丢失），请把该列设为文本格式后重新填写"
    ]
    assert nomination_count(session) == 0


def test_text_starting_with_formula_chars_stays_text(session: Session, actor: Actor) -> None:
    wb = load_xlsx(build_template(session, 2024))
    ws = wb["专家推荐"]
    for col, value in enumerate(
        nomination_row(session, 推荐意见="=1+1 是文本", 职称名称="+正高级工程师"), start=1
    ):
        put(ws, 2, col, value)
    created = import_nominations(session, actor, 2024, workbook_bytes(wb), now=NOW)
    assert created[0].recommendation == "=1+1 是文本"
    assert created[0].title_name == "+正高级工程师"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0"])
def test_put_never_writes_a_formula(value: str) -> None:
    wb = Workbook()
    put(wb.active, 1, 1, value)
    raw = workbook_bytes(wb)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    cell = load_xlsx(raw).active["A1"]
    assert cell.value == value and cell.data_type == "s"


def test_bad_files_get_one_clear_message(session: Session, actor: Actor) -> None:
    cases = {
        b"": "为空",
        b"name,id\n1,2\n": "xlsx",
        b"PK\x03\x04broken": "损坏",
        b"x" * (5 * 1024 * 1024 + 1): "5 MB",
    }
    for data, expected in cases.items():
        with pytest.raises(XlsxError, match=expected):
            import_nominations(session, actor, 2024, data, now=NOW)
    wb = Workbook()
    wb.active.append(["姓名", "性别", "身份证"])
    with pytest.raises(XlsxError, match="第3列应为「身份证号」"):
        import_nominations(session, actor, 2024, workbook_bytes(wb), now=NOW)
    with pytest.raises(XlsxError, match="没有数据"):
        import_nominations(session, actor, 2024, nomination_workbook(session, []), now=NOW)


def test_row_and_cell_limits(session: Session, actor: Actor) -> None:
    too_many = nomination_workbook(
        session, [nomination_row(session)] * (MAX_ROWS + 1), template=False
    )
    with pytest.raises(XlsxError, match="2000行"):
        import_nominations(session, actor, 2024, too_many, now=NOW)
    long = nomination_workbook(session, [nomination_row(session, 推荐意见="很" * 501)])
    with pytest.raises(RowErrors) as info:
        import_nominations(session, actor, 2024, long, now=NOW)
    assert "不能超过500个字符" in info.value.lines()[0]


def test_import_refused_after_deadline(session: Session, actor: Actor) -> None:
    with pytest.raises(Exception, match="截止"):
        import_nominations(
            session,
            actor,
            2024,
            nomination_workbook(session, [nomination_row(session)]),
            now=datetime(2024, 8, 1),
        )
    assert nomination_count(session) == 0


def test_pool_export_masks_and_never_formulas(session: Session, unit: Unit) -> None:
    e = Expert(
        code="E000001",
        name="曾国明",
        gender="男",
        birth_year=1980,
        id_card=card(),
        unit_id=unit.id,
        rank="正高级",
        title_name='=HYPERLINK("x")',
        specialties=["城乡规划"],
        status="在库",
    )
    session.add(e)
    session.flush()
    session.refresh(e)
    wb = load_xlsx(export_pool(session, [e]))
    ws = wb.active
    assert ws["A1"].value == "专家编号" and ws["E1"].value == "身份证号（脱敏）"
    assert ws["E2"].value == card()[:6] + "********" + card()[-4:]
    assert card() not in [c.value for c in ws[2]]
    assert ws["H2"].value == '=HYPERLINK("x")' and ws["H2"].data_type == "s"
