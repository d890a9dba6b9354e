"""Shortfall numbers against hand-counted small pools."""

from __future__ import annotations

from openpyxl import load_workbook

from expertpool.services.shortfall import shortfall_from_package, shortfall_report, write_xlsx


def _expert(i: int, rank: str, specs: list[str], *, served=(), available=True) -> dict:
    return {
        "id": f"E{i:03d}",
        "unit": f"U{i % 4}",
        "unit_kind": "企业",
        "rank": rank,
        "specialties": specs,
        "served": list(served),
        "available": available,
    }


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
    return {
        "format": "expertpool.draw/1",
        "meeting": {
            "id": "T",
            "committee": "测试",
            "level": "senior",
            "year": 2024,
            "window": ["2024-10-21", "2024-10-31"],
        },
        "rules": base,
        "experts": experts,
        "applicants": applicants,
        "conflicts": [],
    }


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
    (
        n,
        alt,
        need_total,
        need_full,
        eligible,
        eligible_full,
        recruit_total,
        recruit_full,
        from_applicants,
        rows,
    ) = shortfall_from_package(pkg, ["机械", "电气", "冶炼"], margin=2)
    assert (n, alt) == (5, 2)
    assert need_total == 2 * 7
    assert need_full == 2 * (2 + 1)  # ceil(2/5*5)=2, ceil(2/5*2)=1
    assert eligible == 4  # E001 E002 E004 E007
    assert eligible_full == 2  # E001 E002
    assert recruit_full == 4
    assert from_applicants
    by = {r.specialty: r for r in rows}
    assert (by["机械"].applicants, by["机械"].need, by["机械"].eligible, by["机械"].recruit) == (
        3,
        4,
        4,
        0,
    )
    assert (by["电气"].need, by["电气"].eligible, by["电气"].recruit) == (4, 1, 3)
    assert by["冶炼"].need == 0 and by["冶炼"].recruit == 0  # no applicants: no demand this year
    assert recruit_total == max(recruit_full, need_total - eligible, 3) == 10


def test_without_applicants_every_specialty_counts_once():
    experts = [_expert(1, "正高级", ["机械"])]
    pkg = _package(experts, [])
    *_, from_applicants, rows = shortfall_from_package(pkg, ["机械", "电气"], margin=3)
    assert not from_applicants
    assert [(r.specialty, r.need, r.eligible, r.recruit) for r in rows] == [
        ("机械", 6, 1, 5),
        ("电气", 6, 0, 6),
    ]


def test_report_from_database_and_xlsx(demo_db, session, tmp_path, runner):
    report = shortfall_report(session, 2024)
    assert len(report) == 30
    for c in report:
        assert c.recruit_full_senior == max(0, c.need_full_senior - c.eligible_full_senior)
        assert c.recruit_total >= c.recruit_full_senior
    path = tmp_path / "缺口.xlsx"
    write_xlsx(report, 2024, path)
    ws = load_workbook(path).active
    assert ws["A1"].value == "例会编号" and ws.max_row > 30
    cli = runner("shortfall", "--year", "2024", "--xlsx", str(tmp_path / "c.xlsx"))
    assert cli.code == 0, cli.err
    assert "2024-S01" in cli.out
    bad = runner("shortfall", "--margin", "0")
    assert bad.code == 2 and "余量系数" in bad.err
