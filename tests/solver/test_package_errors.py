"""Every bad input listed in the contract: PackageError naming the field; CLI exit 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from expertpool.cli import main
from solver.errors import PackageError
from solver.package import parse_package
from tests.builders import applicant, expert, package_doc, to_bytes


def base() -> dict[str, Any]:
    return package_doc(
        [expert("E1", "U1"), expert("E2", "U2"), expert("E3", "U3", "副高级")],
        applicants=[applicant("A1", "U1")],
        conflicts=[{"expert": "E1", "applicant": "A1", "reason": "师生"}],
    )


def mutate(fn: Any) -> bytes:
    doc = copy.deepcopy(base())
    fn(doc)
    return to_bytes(doc)


def _set(path: list[Any], value: Any) -> Any:
    def fn(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return fn


def _del(path: list[Any]) -> Any:
    def fn(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return fn


CASES: list[tuple[str, bytes, str]] = [
    ("not json", b"{not json", "JSON"),
    ("not utf-8", b'{"format": "\xff\xfe"}', "UTF-8"),
    ("top not object", b"[1, 2]", "对象"),
    ("wrong format", mutate(_set(["format"], "expertpool.draw/2")), "format"),
    ("missing format", mutate(_del(["format"])), "format"),
    ("missing meeting", mutate(_del(["meeting"])), "meeting"),
    ("missing meeting id", mutate(_del(["meeting", "id"])), "meeting.id"),
    ("bad year type", mutate(_set(["meeting", "year"], "2024")), "meeting.year"),
    ("bad level", mutate(_set(["meeting", "level"], "junior")), "meeting.level"),
    (
        "bad window",
        mutate(_set(["meeting", "window"], ["2024-10-31", "2024-10-21"])),
        "meeting.window",
    ),
    ("missing panel_size", mutate(_del(["rules", "panel_size"])), "rules.panel_size"),
    ("missing min_rank", mutate(_del(["rules", "min_rank"])), "rules.min_rank"),
    ("even panel", mutate(_set(["rules", "panel_size"], 4)), "rules.panel_size"),
    ("small panel", mutate(_set(["rules", "panel_size"], 1)), "rules.panel_size"),
    ("float panel", mutate(_set(["rules", "panel_size"], 3.0)), "rules.panel_size"),
    ("bool panel", mutate(_set(["rules", "panel_size"], True)), "rules.panel_size"),
    ("unknown min_rank", mutate(_set(["rules", "min_rank"], "教授")), "rules.min_rank"),
    ("unknown rank", mutate(_set(["experts", 1, "rank"], "教授")), "experts[1].rank"),
    ("bad unit_kind", mutate(_set(["experts", 0, "unit_kind"], "政府")), "experts[0].unit_kind"),
    (
        "bad kind key",
        mutate(_set(["rules", "min_per_unit_kind"], {"政府": 1})),
        "rules.min_per_unit_kind.政府",
    ),
    ("dup expert", mutate(_set(["experts", 1, "id"], "E1")), "experts[1].id"),
    (
        "dup applicant",
        mutate(lambda d: d["applicants"].append(applicant("A1"))),
        "applicants[1].id",
    ),
    (
        "conflict unknown expert",
        mutate(_set(["conflicts", 0, "expert"], "E9")),
        "conflicts[0].expert",
    ),
    (
        "conflict unknown applicant",
        mutate(_set(["conflicts", 0, "applicant"], "A9")),
        "conflicts[0].applicant",
    ),
    ("fraction float", mutate(_set(["rules", "min_voters_share"], 0.66)), "rules.min_voters_share"),
    ("fraction > 1", mutate(_set(["rules", "min_voters_share"], "3/2")), "rules.min_voters_share"),
    (
        "fraction zero den",
        mutate(_set(["rules", "min_full_senior_share"], "1/0")),
        "rules.min_full_senior_share",
    ),
    (
        "fraction junk",
        mutate(_set(["rules", "min_full_senior_share"], "half")),
        "rules.min_full_senior_share",
    ),
    (
        "fraction negative",
        mutate(_set(["rules", "min_full_senior_share"], "-1/2")),
        "rules.min_full_senior_share",
    ),
    ("negative alternates", mutate(_set(["rules", "alternates"], -1)), "rules.alternates"),
    ("negative cap", mutate(_set(["rules", "max_per_unit"], -2)), "rules.max_per_unit"),
    (
        "negative demand",
        mutate(_set(["rules", "specialty_demand"], {"给排水": -1})),
        "rules.specialty_demand.给排水",
    ),
    (
        "negative specialists",
        mutate(_set(["rules", "min_specialist_voters"], -1)),
        "rules.min_specialist_voters",
    ),
    (
        "zero consecutive",
        mutate(_set(["rules", "max_consecutive_years"], 0)),
        "rules.max_consecutive_years",
    ),
    (
        "recuse not bool",
        mutate(_set(["rules", "recuse_same_unit"], "yes")),
        "rules.recuse_same_unit",
    ),
    ("experts not list", mutate(_set(["experts"], {"E1": 1})), "experts"),
    ("expert not object", mutate(_set(["experts", 0], "E1")), "experts[0]"),
    (
        "specialties not list",
        mutate(_set(["experts", 0, "specialties"], "建筑工程")),
        "experts[0].specialties",
    ),
    ("served not ints", mutate(_set(["experts", 0, "served"], ["2023"])), "experts[0].served[0]"),
    ("available not bool", mutate(_set(["experts", 0, "available"], 1)), "experts[0].available"),
    ("missing unit", mutate(_del(["experts", 2, "unit"])), "experts[2].unit"),
    (
        "applicant missing specialty",
        mutate(_del(["applicants", 0, "specialty"])),
        "applicants[0].specialty",
    ),
    (
        "bad birth date",
        mutate(_set(["experts", 1, "birth_date"], "1968-02-30")),
        "experts[1].birth_date",
    ),
    (
        "birth date not text",
        mutate(_set(["experts", 1, "birth_date"], 1968)),
        "experts[1].birth_date",
    ),
    ("max_age too low", mutate(_set(["rules", "max_age"], 29)), "rules.max_age"),
    ("max_age too high", mutate(_set(["rules", "max_age"], 101)), "rules.max_age"),
    ("max_age not int", mutate(_set(["rules", "max_age"], "65")), "rules.max_age"),
    (
        "under-age rule not object",
        mutate(_set(["rules", "min_share_under_age"], "1/2")),
        "rules.min_share_under_age",
    ),
    (
        "under-age rule age out of range",
        mutate(_set(["rules", "min_share_under_age"], {"age": 120, "share": "1/2"})),
        "rules.min_share_under_age.age",
    ),
    (
        "under-age rule missing share",
        mutate(_set(["rules", "min_share_under_age"], {"age": 55})),
        "rules.min_share_under_age.share",
    ),
    (
        "under-age rule bad share",
        mutate(_set(["rules", "min_share_under_age"], {"age": 55, "share": "3/2"})),
        "rules.min_share_under_age.share",
    ),
    # An age rule applies, but an expert has no birth date: the message names the expert.
    ("missing birth date", mutate(_set(["rules", "max_age"], 65)), "experts[0].birth_date"),
    (
        "missing window for an age rule",
        mutate(
            lambda d: (
                d["meeting"].pop("window"),
                d["rules"].update(min_share_under_age={"age": 55, "share": "1/2"}),
            )
        ),
        "meeting.window",
    ),
]


def _with_births(doc: dict[str, Any]) -> None:
    for e in doc["experts"]:
        e["birth_date"] = "1970-01-01"


def test_missing_birth_date_names_the_expert() -> None:
    def fn(doc: dict[str, Any]) -> None:
        _with_births(doc)
        del doc["experts"][2]["birth_date"]
        doc["rules"]["max_age"] = 65

    with pytest.raises(PackageError) as info:
        parse_package(mutate(fn))
    assert info.value.field == "experts[2].birth_date"
    assert "E3" in info.value.message and "max_age" in info.value.message


def test_age_rules_off_need_no_birth_dates() -> None:
    pkg = parse_package(mutate(_set(["rules", "max_age"], None)))
    assert pkg.rules.max_age is None and pkg.experts[0].birth_date is None


@pytest.mark.parametrize(("name", "data", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_package(name: str, data: bytes, field: str) -> None:
    with pytest.raises(PackageError) as info:
        parse_package(data)
    message = info.value.message
    assert field in message, message
    assert "\n" not in message


def test_good_package_parses_and_sorts() -> None:
    doc = base()
    doc["experts"].reverse()
    pkg = parse_package(to_bytes(doc))
    assert [e.id for e in pkg.experts] == ["E1", "E2", "E3"]


@pytest.mark.parametrize(("name", "data", "field"), CASES[::4], ids=[c[0] for c in CASES[::4]])
def test_cli_bad_package_exit_2(
    name: str, data: bytes, field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pkg.json"
    path.write_bytes(data)
    assert main(["draw", str(path), "--seed", "s"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and field in err and "Traceback" not in err


def test_cli_missing_file_and_bad_panel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draw", str(tmp_path / "nope.json")]) == 2
    assert "不存在" in capsys.readouterr().err
    pkg = tmp_path / "pkg.json"
    pkg.write_bytes(to_bytes(base()))
    panel = tmp_path / "panel.json"
    panel.write_text(json.dumps({"format": "wrong"}), encoding="utf-8")
    assert main(["verify", str(pkg), str(panel)]) == 2
    assert "format" in capsys.readouterr().err
    assert main(["draw", str(pkg), "--seed", "  "]) == 2
    assert "--seed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"", "此处缺少值"),
        (b'{"format" "expertpool.draw/1"}', "缺少冒号"),
        (b"[1 2]", "缺少逗号"),
        (b"{format: 1}", "字段名应写在双引号中"),
        (b"{} {}", "内容结束后还有多余的字符"),
        (b'{"format": "abc', "字符串缺少结尾的双引号"),
    ],
)
def test_json_syntax_errors_are_told_in_chinese(text: bytes, words: str) -> None:
    with pytest.raises(PackageError) as info:
        parse_package(text)
    assert words in info.value.message and "第1行" in info.value.message
    assert not any(ch.isascii() and ch.isalpha() for ch in info.value.message.replace("JSON", ""))
