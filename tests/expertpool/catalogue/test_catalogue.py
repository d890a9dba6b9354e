"""Tests for the yearly committee catalogue and the period parser."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from expertpool.catalogue import (
    CommitteeSpec,
    available_years,
    find_committee,
    load_catalogue,
    loader,
    period_deadline,
    period_window,
)
from expertpool.errors import UserError
from expertpool.validators import ValidationError


@pytest.fixture(scope="module")
def cat() -> list[CommitteeSpec]:
    return load_catalogue(2024)


def by_name(cat: list[CommitteeSpec], fragment: str) -> CommitteeSpec:
    matches = [c for c in cat if fragment in c.name]
    assert len(matches) == 1, fragment
    return matches[0]


# --- loading ---------------------------------------------------------------------------


def test_available_years() -> None:
    assert 2024 in available_years()
    assert available_years() == sorted(available_years())


def test_missing_year() -> None:
    with pytest.raises(UserError, match="没有2023年的评委会目录"):
        load_catalogue(2023)


def test_counts_and_codes(cat: list[CommitteeSpec]) -> None:
    assert len(cat) == 30
    senior = [c for c in cat if c.level == "senior"]
    middle = [c for c in cat if c.level == "intermediate"]
    assert len(senior) == 24 and len(middle) == 6
    assert [c.code for c in senior] == [f"2024-S{i:02d}" for i in range(1, 25)]
    assert [c.code for c in middle] == [f"2024-M{i:02d}" for i in range(1, 7)]
    assert [c.seq for c in senior] == list(range(1, 25))
    assert [c.seq for c in middle] == list(range(1, 7))
    assert {c.level_label for c in senior} == {"高级"}
    assert {c.level_label for c in middle} == {"中级"}
    assert all(c.name.startswith("大连市") and c.name.endswith("评审委员会") for c in cat)
    assert all("高级" in c.name for c in senior)
    assert all("中级" in c.name for c in middle)


def test_returned_list_is_a_copy(cat: list[CommitteeSpec]) -> None:
    mine = load_catalogue(2024)
    mine.clear()
    assert len(load_catalogue(2024)) == 30
    with pytest.raises(AttributeError):
        cat[0].name = "x"  # type: ignore[misc]


def test_committee_1_specialties(cat: list[CommitteeSpec]) -> None:
    c1 = cat[0]
    assert c1.name == "大连市工程系列城乡建设行业高级专业技术资格评审委员会"
    assert c1.series == "工程"
    assert len(c1.specialties) == 18
    assert len(set(c1.specialties)) == 18
    assert c1.specialties.count("建筑工程") == 1
    assert c1.specialty_text.count("建筑工程") == 2
    assert c1.specialties[:5] == ("城乡规划", "工程勘察", "工程测量", "岩土工程", "建筑工程")
    assert c1.specialties[-1] == "建设管理"
    assert c1.department == "大连市住建局"
    assert c1.contact == "康长平"
    assert c1.phone == "0411-82471711"


def test_no_duplicate_or_empty_specialties(cat: list[CommitteeSpec]) -> None:
    for c in cat:
        assert c.specialties, c.code
        assert len(set(c.specialties)) == len(c.specialties), c.code
        assert all(s and s == s.strip() for s in c.specialties)
        # Trailing qualifiers are stripped from the list but kept in the raw text.
        assert not any(s.endswith(("等", "等专业", "大类专业")) for s in c.specialties), c.code
        assert all(s in c.specialty_text for s in c.specialties), c.code


def test_trailing_words_stripped(cat: list[CommitteeSpec]) -> None:
    forest = by_name(cat, "林业行业")
    assert forest.specialties[-1] == "林业信息"
    assert forest.specialty_text.endswith("林业信息等专业")
    assert len(forest.specialties) == 15
    health = by_name(cat, "大连市卫生系列高级")
    assert health.code == "2024-S15"
    assert health.specialties == (
        "临床医学",
        "临床医技",
        "临床护理",
        "药学",
        "预防医学",
        "妇幼保健学",
        "医学管理",
    )
    assert health.specialty_text.endswith("医学管理7大类专业")
    tcm = by_name(cat, "（中医）")
    assert tcm.specialties == ("中医", "中西医结合", "中药", "中医护理")
    assert tcm.series == "卫生"
    industry = cat[11]
    assert industry.specialties[-1] == "轻工" and industry.specialty_text.endswith("轻工等")
    assert len(industry.specialties) == 8
    assert by_name(cat, "中等职业学校").specialties[-1] == "艺术"
    assert by_name(cat, "中小学教师").specialties[-1] == "教育研究"
    assert len(by_name(cat, "中小学教师").specialties) == 22
    assert by_name(cat, "技工学校").specialties[-1] == "冶金材料"


def test_sports_specialties(cat: list[CommitteeSpec]) -> None:
    sport = by_name(cat, "体育系列")
    assert sport.code == "2024-M02"
    assert sport.specialties[-2:] == ("综合", "运动防护")
    assert len(sport.specialties) == 12
    assert sport.window == (date(2024, 10, 11), date(2024, 10, 20))
    assert sport.meeting_period == "10月中旬"


def test_party_school_keeps_parentheses(cat: list[CommitteeSpec]) -> None:
    party = by_name(cat, "党校教师")
    assert "政治学（科社）" in party.specialties
    assert party.specialties[-1] == "基础科学（文史法等）"
    assert party.window == (date(2024, 11, 1), date(2024, 11, 10))
    assert party.dossier_deadline == date(2024, 9, 20)


def test_port_committee(cat: list[CommitteeSpec]) -> None:
    port = by_name(cat, "港口行业")
    assert port.code == "2024-S22"
    assert port.phone == "0411-87597266-509"
    assert port.department == "大连港集团有限公司"
    assert port.contact == "修梅"
    assert port.specialties == ("港口机械", "港口工程", "港口电气", "港口管理", "港口通讯")


def test_series(cat: list[CommitteeSpec]) -> None:
    engineering = [c.seq for c in cat if c.series == "工程"]
    assert engineering == [1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 14, 20, 21, 22, 23, 24]
    assert all("工程系列" in cat[s - 1].name for s in engineering)
    assert [c.code for c in cat if c.series == "卫生"] == ["2024-S04", "2024-S15", "2024-S16"]
    assert by_name(cat, "农业系列").series == "农业"
    assert by_name(cat, "经济系列").series == "经济"
    assert by_name(cat, "工程系列医药行业").series == "工程"
    assert [c.series for c in cat if c.level == "intermediate"] == [
        "广电新闻",
        "体育",
        "党校教师",
        "艺术",
        "高校教育管理研究",
        "实验技术",
    ]


def test_narrow_committees(cat: list[CommitteeSpec]) -> None:
    narrow = {c.code for c in cat if c.narrow}
    assert narrow == {"2024-S04", "2024-S05", "2024-S21", "2024-M01"}
    assert all(c.narrow == (len(c.specialties) <= 2) for c in cat)


def test_schedule_as_printed(cat: list[CommitteeSpec]) -> None:
    late = [c.seq for c in cat if c.level == "senior" and c.meeting_period == "12月下旬"]
    assert late == [15, 16, 17, 18]
    for c in cat:
        if c.seq in (15, 16, 17, 18) and c.level == "senior":
            assert c.window == (date(2024, 12, 21), date(2024, 12, 31))
            assert c.dossier_deadline == date(2024, 11, 30)
    assert [c.seq for c in cat if c.meeting_period == "11月下旬"] == [12, 13, 14]
    c1 = cat[0]
    assert c1.window == (date(2024, 10, 21), date(2024, 10, 31))
    assert c1.dossier_deadline == date(2024, 8, 31)
    art = by_name(cat, "艺术系列")
    assert art.window == (date(2024, 11, 11), date(2024, 11, 20))
    for c in cat:
        assert c.dossier_deadline < c.window[0], c.code


def test_shared_contacts(cat: list[CommitteeSpec]) -> None:
    market = [c.seq for c in cat if c.department == "大连市市场监管局"]
    assert market == [2, 3, 4]
    assert {c.phone for c in cat if c.department == "大连大学"} == {"0411-87402335"}
    assert by_name(cat, "技工学校").phone == "0411-39997638"


def test_json_file_shape() -> None:
    path = Path(loader.__file__).parent / "data" / "2024.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["year"] == 2024
    assert doc["source"] == "大人社发〔2024〕45号"
    keys = {
        "code",
        "seq",
        "name",
        "level",
        "series",
        "specialties",
        "specialty_text",
        "narrow",
        "meeting_period",
        "dossier_deadline_period",
        "department",
        "contact",
        "phone",
    }
    assert all(set(c) == keys for c in doc["committees"])


def test_find_committee() -> None:
    assert (
        find_committee(2024, "2024-M06").name == "大连市实验技术系列中级专业技术人员资格评审委员会"
    )
    with pytest.raises(UserError, match="2024-S99"):
        find_committee(2024, "2024-S99")


# --- validation on load ----------------------------------------------------------------


@pytest.fixture()
def fake_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the loader at a temporary data directory seeded with a copy of 2024."""
    source = Path(loader.__file__).parent / "data" / "2024.json"
    original = json.loads(source.read_text(encoding="utf-8"))
    monkeypatch.setattr(loader, "_data_dir", lambda: tmp_path)
    loader._load.cache_clear()

    def write(doc: dict, year: int = 2024) -> None:
        (tmp_path / f"{year}.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")

    yield copy.deepcopy(original), write
    loader._load.cache_clear()


def test_next_year_is_one_more_file(fake_data) -> None:
    doc, write = fake_data
    write(doc)
    (tmp := copy.deepcopy(doc))["year"] = 2025
    tmp["committees"] = tmp["committees"][:2]
    for c in tmp["committees"]:
        c["code"] = c["code"].replace("2024", "2025")
    write(tmp, 2025)
    assert available_years() == [2024, 2025]
    specs = load_catalogue(2025)
    assert [c.code for c in specs] == ["2025-S01", "2025-S02"]
    assert specs[0].window == (date(2025, 10, 21), date(2025, 10, 31))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["committees"].pop(), "应有30个评委会"),
        (lambda d: d["committees"][1].update(code="2024-S01", seq=1), "代码重复|序号"),
        (lambda d: d["committees"][0].update(specialties=[]), "专业列表为空"),
        (lambda d: d["committees"][0]["specialties"].append("建筑工程"), "专业列表有重复"),
        (lambda d: d["committees"][0].update(meeting_period="十月底"), "无法识别的时间段"),
        (lambda d: d["committees"][0].update(phone="82471711"), "联系电话"),
        (lambda d: d["committees"][0].update(level="junior"), "级别"),
        (lambda d: d["committees"][0].update(series="未知"), "系列"),
        (lambda d: d["committees"][0].update(code="2024-S09"), "不符"),
        (lambda d: d.update(year=2023), "年份"),
    ],
)
def test_bad_data_rejected(fake_data, mutate, message: str) -> None:
    doc, write = fake_data
    mutate(doc)
    write(doc)
    with pytest.raises(UserError, match=message):
        load_catalogue(2024)


# --- periods ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "text", "window"),
    [
        (2024, "10月上旬", (date(2024, 10, 1), date(2024, 10, 10))),
        (2024, "10月中旬", (date(2024, 10, 11), date(2024, 10, 20))),
        (2024, "10月下旬", (date(2024, 10, 21), date(2024, 10, 31))),
        (2024, "11月下旬", (date(2024, 11, 21), date(2024, 11, 30))),
        (2024, "2月下旬", (date(2024, 2, 21), date(2024, 2, 29))),
        (2023, "2月下旬", (date(2023, 2, 21), date(2023, 2, 28))),
        (2000, "2月下旬", (date(2000, 2, 21), date(2000, 2, 29))),
        (1900, "2月下旬", (date(1900, 2, 21), date(1900, 2, 28))),
        (2024, "2月中旬", (date(2024, 2, 11), date(2024, 2, 20))),
        (2024, "12月下旬", (date(2024, 12, 21), date(2024, 12, 31))),
        (2024, "9月中旬", (date(2024, 9, 11), date(2024, 9, 20))),
        (2024, " 09月上旬 ", (date(2024, 9, 1), date(2024, 9, 10))),
    ],
)
def test_period_window(year: int, text: str, window: tuple[date, date]) -> None:
    assert period_window(year, text) == window
    assert period_deadline(year, text) == window[1]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "十月下旬",
        "10月底",
        "10月",
        "下旬",
        "13月上旬",
        "0月中旬",
        "10月下旬前",
        "10-下旬",
        None,
    ],
)
def test_bad_period_rejected(text) -> None:
    with pytest.raises(ValidationError, match="时间段") as info:
        period_window(2024, text)
    assert info.value.field == "时间段"


def test_bad_period_year_rejected() -> None:
    with pytest.raises(ValidationError, match="年份"):
        period_window(True, "10月下旬")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="年份"):
        period_window(99999, "10月下旬")
