"""The meeting verifier (draw-format.md §5): the vote rule at its boundaries, tampered records,
bad input, and the CLI's exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from expertpool.cli import main as cli_main
from solver.errors import PackageError
from solver.meeting import verify_meeting
from solver.meeting.registry import CHECKS
from tests.solver.meeting.builders import Case


def failing(case: Case, record: dict[str, Any]) -> set[str]:
    report = verify_meeting(*case.files(record))
    return {item.check for item in report.failed()}


def vote(record: dict[str, Any], app: str) -> dict[str, Any]:
    return next(v for v in record["votes"] if v["applicant"] == app)


def test_every_check_has_a_clause_and_chinese_title() -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS)
    for check in CHECKS:
        assert check.clause and check.title_zh


def test_an_honest_record_passes() -> None:
    case = Case()
    report = verify_meeting(*case.files(case.honest()))
    assert report.ok, report.text()
    assert "结论：例会记录与评委会" in report.text()


def test_exactly_two_thirds_passes_and_one_yes_fewer_fails() -> None:
    case = Case(conflicts=())  # 7 voters on every applicant: need ceil(14/3) = 5
    record = case.honest(yes={"A2": 5})
    assert vote(record, "A2")["passed"] is True
    assert not failing(case, record)
    record = case.honest(yes={"A2": 4})
    assert vote(record, "A2")["passed"] is False
    assert not failing(case, record)
    vote(record, "A2")["passed"] = True  # claiming a pass with one yes fewer
    assert failing(case, record) == {"pass_decision"}


def test_six_of_nine_is_exactly_two_thirds() -> None:
    case = Case(size=9, conflicts=())
    record = case.honest(yes={"A1": 6})
    assert vote(record, "A1")["passed"] is True and not failing(case, record)


def test_a_recused_member_leaves_the_base() -> None:
    case = Case()  # E1 recused for A1: 6 voters, need 4 (with 7 in the base it would be 5)
    record = case.honest(yes={"A1": 4})
    assert vote(record, "A1") == {
        "applicant": "A1",
        "yes": 4,
        "no": 2,
        "abstain": 0,
        "passed": True,
    }
    assert not failing(case, record)
    vote(record, "A1")["no"] = 3  # counting the recused member's ballot
    assert failing(case, record) == {"vote_counts"}


def test_an_absence_dropping_voters_below_quorum_invalidates_that_vote() -> None:
    case = Case()  # quorum 5 of 7; E6, E7 absent: 5 present, A1 has 4 voters
    record = case.honest(present=["E1", "E2", "E3", "E4", "E5"])
    assert vote(record, "A1")["yes"] == 4 and vote(record, "A1")["passed"] is False
    assert vote(record, "A2")["passed"] is True
    assert failing(case, record) == {"vote_quorum"}
    vote(record, "A1")["passed"] = True
    assert failing(case, record) == {"vote_quorum", "pass_decision"}


def test_below_quorum_the_meeting_is_invalid() -> None:
    case = Case(conflicts=())
    record = case.honest(present=["E1", "E2", "E3", "E4"])
    assert {"quorum", "vote_quorum"} <= failing(case, record)
    assert all(not v["passed"] for v in record["votes"])


def test_counts_not_adding_up_fail() -> None:
    case = Case()
    record = case.honest()
    vote(record, "A2")["abstain"] = 1
    assert failing(case, record) == {"vote_counts"}


def test_tampered_count_changed() -> None:
    case = Case()
    record = case.honest(yes={"A3": 4})
    vote(record, "A3")["yes"] = 5  # 5 + 3 = 8 of 7 voters
    assert "vote_counts" in failing(case, record)


def test_tampered_passed_flipped() -> None:
    case = Case()
    record = case.honest()
    vote(record, "A3")["passed"] = False
    assert failing(case, record) == {"pass_decision"}


def test_tampered_absent_member_among_voters() -> None:
    case = Case(conflicts=())
    record = case.honest(present=["E1", "E2", "E3", "E4", "E5", "E6"])
    vote(record, "A2")["yes"] += 1  # E7 (absent) counted
    assert failing(case, record) == {"vote_counts"}


def test_tampered_panel_sha256() -> None:
    case = Case()
    record = case.honest()
    record["panel_sha256"] = "0" * 64
    assert failing(case, record) == {"panel_match"}


def test_attendance_must_split_the_panel_exactly() -> None:
    case = Case()
    record = case.honest()
    record["present"].remove("E7")
    assert failing(case, record) >= {"attendance"}
    record = case.honest()
    record["present"].append("E99")
    assert "attendance" in failing(case, record)


def test_votes_one_per_applicant_in_package_order() -> None:
    case = Case()
    record = case.honest()
    record["votes"].reverse()
    assert failing(case, record) == {"votes_listed"}
    record = case.honest()
    record["votes"].pop()
    assert failing(case, record) == {"votes_listed"}


def rate_case(counts: str) -> Case:
    return Case(
        size=7,
        order=("A1", "A2", "A3", "A4"),
        conflicts=(),
        groups={"A4": "高技能人才"},
        rules={
            "quorum_share": "2/3",
            "pass_share": "2/3",
            "max_pass_rate": "1/2",
            "pass_rate_counts": counts,
        },
    )


def test_pass_rate_above_cap_needs_an_explanation() -> None:
    case = rate_case("all")
    record = case.honest(yes={"A1": 7, "A2": 7, "A3": 0, "A4": 7})  # 3/4 passed
    assert failing(case, record) == {"pass_rate"}
    record["explanation"] = "本年度申报人整体水平较高，经评委会讨论……"
    report = verify_meeting(*case.files(record))
    assert report.ok and "75.0%" in report.text()


def test_pass_rate_excluding_groups_leaves_the_group_out() -> None:
    case = rate_case("excluding_groups")
    record = case.honest(yes={"A1": 7, "A2": 0, "A3": 0, "A4": 7})  # 1/3 counted
    assert not failing(case, record)
    record = case.honest(yes={"A1": 7, "A2": 7, "A3": 0, "A4": 7})  # 2/3 counted
    assert failing(case, record) == {"pass_rate"}


def test_exactly_at_the_cap_needs_no_explanation_and_must_not_carry_one() -> None:
    case = rate_case("all")
    record = case.honest(yes={"A1": 7, "A2": 7, "A3": 0, "A4": 0})  # 2/4 = 50%
    assert not failing(case, record)
    record["explanation"] = "多余"
    assert failing(case, record) == {"pass_rate"}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.update(format="expertpool.meeting/2"), "format"),
        (lambda r: r["rules"].update(quorum_share=0.66), "rules.quorum_share"),
        (lambda r: r["rules"].update(pass_rate_counts="some"), "rules.pass_rate_counts"),
        (lambda r: r["votes"][0].update(yes=-1), "votes[0].yes"),
        (lambda r: r["votes"][1].update(passed="yes"), "votes[1].passed"),
        (lambda r: r["votes"][1].pop("no"), "votes[1].no"),
        (lambda r: r["present"].append("E1"), "present[7]"),
        (lambda r: r["absent"].append({"expert": "E2", "reason": "因病"}), "absent[0].expert"),
        (lambda r: r["votes"].append(dict(r["votes"][0])), "votes[3].applicant"),
        (lambda r: r.pop("panel_sha256"), "panel_sha256"),
    ],
)
def test_bad_input_names_the_field(mutate: Any, field: str) -> None:
    case = Case()
    record = case.honest()
    mutate(record)
    with pytest.raises(PackageError) as info:
        verify_meeting(*case.files(record))
    assert info.value.field == field
    assert "\n" not in info.value.message


def _write(tmp: Path, case: Case, record: dict[str, Any] | bytes) -> list[str]:
    pkg, panel, rec = (
        case.files(record) if isinstance(record, dict) else (*case.files({})[:2], record)
    )
    paths = []
    for name, data in (("pkg.json", pkg), ("panel.json", panel), ("meeting.json", rec)):
        (tmp / name).write_bytes(data)
        paths.append(str(tmp / name))
    return paths


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = Case()
    record = case.honest()
    assert cli_main(["verify-meeting", *_write(tmp_path, case, record)]) == 0
    assert "[通过] quorum" in capsys.readouterr().out
    vote(record, "A2")["passed"] = False
    assert cli_main(["verify-meeting", *_write(tmp_path, case, record)]) == 1
    assert "[不通过] pass_decision" in capsys.readouterr().out
    assert cli_main(["verify-meeting", *_write(tmp_path, case, b"{not json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "例会记录" in err and "Traceback" not in err
    record["votes"][0]["yes"] = "七"
    assert cli_main(["verify-meeting", *_write(tmp_path, case, record)]) == 2
    err = capsys.readouterr().err
    assert "votes[0].yes" in err and err.count("\n") == 1


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _write(tmp_path, Case(), Case().honest())
    paths[2] = str(tmp_path / "nope.json")
    assert cli_main(["verify-meeting", *paths]) == 2
    assert "MEETING" in capsys.readouterr().err


def test_record_is_json_roundtrip_of_honest() -> None:
    case = Case()
    record = json.loads(case.files(case.honest())[2])
    assert record["format"] == "expertpool.meeting/1"
