"""Shortfall numbers against hand-counted small pools."""

from __future__ import annotations

from openpyxl import load_workbook

from expertpool.services.shortfall import (
    COLUMNS,
    report_rows,
    shortfall_from_package,
    shortfall_report,
)
from expertpool.xlsx.shortfall import write_xlsx
from solver.engine import draw
from tests.builders import expert, package_doc, to_bytes


def _expert(
    i: int,
    rank: str,
    specs: list[str],
    *,
    served=(),
    available=True,
    unit: str | None = None,
    kind: str = "企业",
) -> dict:
    return expert(
        f"E{i:03d}",
        unit or f"U{i % 4}",
        rank,
        kind=kind,
        specs=tuple(specs),
        served=tuple(served),
        available=available,
    )


def _package(experts: list[dict], applicants: list[dict], **rules) -> dict:
    base = {
        "panel_size": 5,
        "alternates": 2,
        "min_rank": "副高级",
        "min_full_senior_share": "2/5",
        "min_specialist_voters": 1,
        "max_consecutive_years": 3,
    }
    base.update(rules)
    doc = package_doc(experts, rules=base, applicants=applicants)
    doc["meeting"].update(id="T", committee="测试")
    return doc


_bytes = to_bytes


def test_hand_counted_pool():
    experts = [
        _expert(1, "正高级", ["机械"]),
        _expert(2, "正高级", ["机械", "电气"]),
        _expert(3, "正高级", ["电气"], served=[2021, 2022, 2023]),  # barred: 3 consecutive years
        _expert(4, "副高级", ["机械"]),
        _expert(5, "副高级", ["电气"], available=False),  # suspended
        _expert(6, "中级", ["机械"]),  # below min rank
        _expert(7, "副高级", ["机械"], served=[2022, 2023]),  # only two years: still eligible
    ]
    applicants = [{"id": f"A{i}", "unit": "X", "specialty": "机械"} for i in range(3)] + [
        {"id": "A9", "unit": "X", "specialty": "电气"}
    ]
    pkg = _package(experts, applicants, specialty_demand={"机械": 1, "电气": 1})
    c = shortfall_from_package(pkg, ["机械", "电气", "冶炼"], margin=2)
    assert (c.seats, c.alternates) == (5, 2)
    assert c.need_total == 2 * 7
    assert c.need_full_senior == 2 * (2 + 1)  # ceil(2/5*5)=2, ceil(2/5*2)=1
    assert c.eligible_total == c.usable_total == 4  # E001 E002 E004 E007; no unit cap
    assert c.eligible_full_senior == c.usable_full_senior == 2  # E001 E002
    assert c.recruit_full_senior == 4
    assert c.demand_from_applicants
    by = {r.specialty: r for r in c.specialties}
    assert (by["机械"].applicants, by["机械"].need, by["机械"].eligible, by["机械"].recruit) == (
        3,
        4,
        4,
        0,
    )
    assert (by["电气"].need, by["电气"].eligible, by["电气"].recruit) == (4, 1, 3)
    assert by["冶炼"].need == 0 and by["冶炼"].recruit == 0  # no applicants: no demand this year
    assert c.recruit_total == max(c.recruit_full_senior, c.need_total - 4, 3) == 10
    assert c.voters is None and c.unit_kinds == [] and c.notes == []  # rules not set


def test_without_applicants_every_specialty_counts_once():
    experts = [_expert(1, "正高级", ["机械"])]
    pkg = _package(experts, [])
    c = shortfall_from_package(pkg, ["机械", "电气"], margin=3)
    assert not c.demand_from_applicants
    assert [(r.specialty, r.need, r.eligible, r.recruit) for r in c.specialties] == [
        ("机械", 6, 1, 5),
        ("电气", 6, 0, 6),
    ]


def _concentrated(extra: list[dict] = ()) -> dict:
    """100 eligible experts, 95 of them in one unit; 25 seats, 5 alternates, 5 per unit."""
    experts = [
        _expert(i, "正高级" if i <= 60 else "副高级", ["机械"], unit="大单位") for i in range(1, 96)
    ]
    experts += [_expert(95 + j, "副高级", ["机械"], unit=f"小单位{j}") for j in range(1, 6)]
    return _package(
        experts + list(extra),
        [],
        panel_size=25,
        alternates=5,
        max_per_unit=5,
        min_full_senior_share="1/2",
    )


def test_concentrated_unit_counts_only_what_a_draw_can_use():
    pkg = _concentrated()
    # The engine's own verdict: infeasible on max_per_unit, 10 seats at most (5 + 5×1).
    result = draw(_bytes(pkg), "s")
    assert result["status"] == "infeasible"
    (entry,) = [d for d in result["diagnosis"] if d["rule"] == "max_per_unit"]
    assert (entry["need"], entry["have"]) == (25, 10)

    c = shortfall_from_package(pkg, ["机械"], margin=2)
    assert c.eligible_total == 100 and c.eligible_full_senior == 60
    # Margin 2: a unit counts at most 2 × 5 = 10. 大单位 10 + five small units 1 each.
    assert c.need_total == 2 * 30 == 60
    assert c.usable_total == 10 + 5 == 15
    # 正高级: need 2 × (ceil(25/2) + ceil(5/2)) = 32; all 60 are in 大单位, which counts 10.
    assert c.need_full_senior == 32 and c.usable_full_senior == 10
    assert c.recruit_full_senior == 22
    assert c.recruit_total == 60 - 15 == 45
    assert len(c.notes) == 2
    assert "“大单位”95名" in c.notes[0] and "需从其他单位补充45名" in c.notes[0]
    assert c.notes[1].startswith("正高级：") and "需从其他单位补充22名" in c.notes[1]
    row = report_rows([c])[0]
    assert (row["usable"], row["recruit"], row["recruit_full_senior"]) == (15, 45, 22)
    assert "需从其他单位补充" in row["note"]

    # With margin 1 and no alternates the bound is exactly the engine's: 10 of 25.
    one = shortfall_from_package(dict(pkg, rules=dict(pkg["rules"], alternates=0)), ["机械"], 1)
    assert (one.need_total, one.usable_total, one.recruit_total) == (25, 10, 15)


def test_recruits_must_come_from_other_units():
    # 45 more in 大单位 change nothing; 45 in nine other units (22 正高级) close the gap.
    same = [_expert(200 + i, "正高级", ["机械"], unit="大单位") for i in range(45)]
    c = shortfall_from_package(_concentrated(same), ["机械"])
    assert (c.usable_total, c.recruit_total, c.recruit_full_senior) == (15, 45, 22)
    other = [
        _expert(300 + i, "正高级" if i < 22 else "副高级", ["机械"], unit=f"新单位{i // 5}")
        for i in range(45)
    ]
    pkg = _concentrated(other)
    c = shortfall_from_package(pkg, ["机械"])
    assert (c.usable_total, c.usable_full_senior) == (60, 32)
    assert (c.recruit_total, c.recruit_full_senior, c.notes) == (0, 0, [])
    assert draw(_bytes(pkg), "s")["status"] == "drawn"


def test_unit_kind_quota():
    # 25 seats, 5 alternates, at least 5 from 高校, 5 per unit.
    # 高校: 20 in 大学甲 (counts 2 × 5 = 10) and 1 in 大学乙 → 11 usable of 21.
    experts = [_expert(i, "正高级", ["机械"], unit="大学甲", kind="高校") for i in range(20)] + [
        _expert(20, "正高级", ["机械"], unit="大学乙", kind="高校")
    ]
    # 企业: ten units of 5 → 50 usable; with 高校, 61 ≥ 60 heads and 正高级.
    experts += [_expert(100 + i, "正高级", ["机械"], unit=f"企业{i // 5}") for i in range(50)]
    pkg = _package(
        experts,
        [],
        panel_size=25,
        alternates=5,
        max_per_unit=5,
        min_full_senior_share="1/2",
        min_per_unit_kind={"高校": 5},
    )
    c = shortfall_from_package(pkg, ["机械"])
    assert (c.usable_total, c.recruit_full_senior) == (61, 0)
    (k,) = c.unit_kinds
    # need 2 × (5 + ceil(5/25 × 5)) = 12
    assert (k.kind, k.need, k.eligible, k.usable, k.recruit) == ("高校", 12, 21, 11, 1)
    assert "“大学甲”20名" in k.note and "需从其他单位补充1名" in k.note
    assert c.recruit_total == 1
    rows = [r for r in report_rows([c]) if r["scope"] == "单位类别"]
    assert [(r["item"], r["need"], r["usable"], r["recruit"]) for r in rows] == [
        ("高校", 12, 11, 1)
    ]


def test_voter_base_and_specialists_after_recusal():
    # No unit cap; 5 seats, 2 alternates; 2/3 must be free of recusal:
    # need 2 × (ceil(10/3) + ceil(4/3)) = 2 × (4 + 2) = 12 per applicant.
    experts = [
        _expert(i, "正高级", ["机械", "电气"] if i < 3 else ["机械"], unit="甲") for i in range(10)
    ]
    experts += [
        _expert(10 + i, "正高级", ["机械", "电气"] if i == 0 else ["机械"], unit=f"乙{i // 2}")
        for i in range(10)
    ]
    applicants = [
        {"id": "A1", "unit": "甲", "specialty": "机械"},
        {"id": "A2", "unit": "乙0", "specialty": "机械"},
        {"id": "A3", "unit": "甲", "specialty": "电气"},
    ]
    pkg = _package(experts, applicants, recuse_same_unit=True, min_voters_share="2/3")
    c = shortfall_from_package(pkg, ["机械", "电气"], unit_names={"甲": "甲单位"})
    assert (c.need_total, c.usable_total, c.recruit_full_senior) == (14, 20, 0)
    v = c.voters
    # A1 and A3 recuse the 10 of 甲: 10 free; A2 recuses 2 of 乙0: 18 free.
    assert (v.applicant, v.unit, v.need, v.eligible, v.usable, v.recruit) == (
        "A1",
        "甲单位",
        12,
        10,
        10,
        2,
    )
    assert v.note == "申报人A1（甲单位）须回避10名专家，无需回避的可用专家10名，需从其他单位补充2名"
    by = {r.specialty: r for r in c.specialties}
    # 电气: need 2 × (1 + 1) = 4 and 4 hold it, but A3 may only use the one in 乙0.
    assert (by["电气"].need, by["电气"].eligible, by["电气"].usable, by["电气"].recruit) == (
        4,
        4,
        4,
        3,
    )
    assert "申报人A3（甲单位）回避后本专业可用专家1名（需4名）" in by["电气"].note
    assert by["机械"].recruit == 0  # A1 still has 10 free 机械 experts ≥ 4
    assert c.recruit_total == 3  # max(voters 2, specialties 3)
    (row,) = [r for r in report_rows([c]) if r["scope"] == "表决基数"]
    assert (row["need"], row["usable"], row["recruit"]) == (12, 10, 2)


def test_report_from_database_and_xlsx(demo_db, session, tmp_path, runner):
    report = shortfall_report(session, 2024)
    assert len(report) == 30
    for c in report:
        assert c.committee_id is not None
        assert c.usable_total <= c.eligible_total and c.usable_full_senior <= c.eligible_full_senior
        assert c.recruit_full_senior == max(0, c.need_full_senior - c.usable_full_senior)
        assert c.recruit_total >= max(c.recruit_full_senior, c.need_total - c.usable_total)
        assert c.voters is not None  # the demo meetings have applicants and recusal
    path = tmp_path / "缺口.xlsx"
    write_xlsx(report, 2024, path)
    wb = load_workbook(path)
    ws = wb.active
    assert [cell.value for cell in ws[1]] == [header for _, header in COLUMNS]
    rows = report_rows(report)
    assert ws.max_row == len(rows) + 1
    first = dict(zip([k for k, _ in COLUMNS], [cell.value for cell in ws[2]], strict=True))
    assert first["usable"] == report[0].usable_total and first["recruit"] == report[0].recruit_total
    assert "说明" in wb.sheetnames
    cli = runner("shortfall", "--year", "2024", "--xlsx", str(tmp_path / "c.xlsx"))
    assert cli.code == 0, cli.err
    assert "2024-S01" in cli.out
    assert load_workbook(tmp_path / "c.xlsx").active.max_row == len(rows) + 1
    bad = runner("shortfall", "--margin", "0")
    assert bad.code == 2 and "余量系数" in bad.err
