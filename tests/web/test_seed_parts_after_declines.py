"""Issue 18, item 3: after a 请辞递补 the two-party seed's evidence (承诺值, 第一部分, 第二部分)
was gone from the panel file, the panel page, the xlsx's 抽取信息 and the print view, and
`verify --replay` still said 与种子一致 without checking a commitment. The parts now travel
with every decline (alternate or redraw) and every export, and the replay fails a declined
panel whose parts are missing or do not match."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from expertpool.cli import main
from expertpool.db import make_session_factory, session_scope
from expertpool.models import DrawSession, Panel
from expertpool.seeds import SeedSequence
from expertpool.services import draw_sessions as ds_svc
from expertpool.services import panels as svc
from expertpool.services.panels.query import dump_result
from expertpool.services.verification import replay_files
from tests.builders import S01, ZJJ, small_meeting, small_rules
from tests.expertpool.services.test_draw_sessions import CLOCK, SUPERVISOR
from tests.fixtures.web import csrf_token, do_login, draw_via_web


@pytest.fixture
def s(demo_db: Engine) -> Session:
    session = make_session_factory(demo_db)()
    yield session
    session.rollback()
    session.close()


def _declined_panel(s: Session, declines: int = 2) -> tuple[Panel, DrawSession]:
    meeting = small_meeting(s)
    ds = ds_svc.open_single(s, meeting, ZJJ, seeds=SeedSequence("parts"), clock=CLOCK)
    ds_svc.enter_second_part(s, ds, "监督人 20241001", SUPERVISOR, clock=CLOCK)
    panel = svc.current_panel(s, meeting)
    assert panel is not None
    for code in svc.result_of(panel)["members"][:declines]:
        svc.decline(s, panel, code, "出差", ZJJ)
    return panel, ds


def test_seed_parts_survive_every_decline(s: Session) -> None:
    # Enough declines that the alternates run out and seats are redrawn too.
    panel, ds = _declined_panel(s, declines=6)
    result = svc.result_of(panel)
    assert {step["how"] for step in result["replacements"]} == {"alternate", "redraw"}
    assert result["seed_parts"] == ds_svc.seed_parts(ds)
    assert result["original"]["seed_parts"] == ds_svc.seed_parts(ds)
    verdict = replay_files(svc.package_of(panel), svc.result_bytes(panel))
    assert verdict.same
    assert any(line.startswith("承诺值一致") for line in verdict.lines)
    assert svc.replay(s, panel).same


def _forged(panel: Panel, change: Any) -> bytes:
    doc = json.loads(svc.result_bytes(panel))
    change(doc)
    return json.dumps(doc, ensure_ascii=False).encode()


def _strip(doc: dict[str, Any]) -> None:
    del doc["seed_parts"]


def _other_commitment(doc: dict[str, Any]) -> None:
    doc["seed_parts"] = dict(doc["seed_parts"], commitment="0" * 64)


def _other_supervisor(doc: dict[str, Any]) -> None:
    doc["seed_parts"] = dict(doc["seed_parts"], second_by="别人")


def _both_changed(doc: dict[str, Any]) -> None:
    _other_commitment(doc)
    doc["original"]["seed_parts"] = doc["seed_parts"]


def _other_second(doc: dict[str, Any]) -> None:
    for where in (doc, doc["original"]):
        where["seed_parts"] = dict(where["seed_parts"], second="另一个数")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_strip, "种子的两部分缺失"),
        (_other_commitment, "承诺值不一致"),
        (_other_supervisor, "与最初抽取时记录的不同"),
        (_both_changed, "承诺值不一致"),
        (_other_second, "种子不一致"),
    ],
)
def test_replay_fails_a_declined_panel_whose_parts_are_missing_or_wrong(
    s: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, words: str
) -> None:
    panel, _ = _declined_panel(s)
    forged = _forged(panel, change)
    verdict = replay_files(svc.package_of(panel), forged)
    assert not verdict.same and words in verdict.first_difference
    (tmp_path / "p.json").write_bytes(svc.package_of(panel))
    (tmp_path / "r.json").write_bytes(forged)
    capsys.readouterr()
    code = main(["verify", str(tmp_path / "p.json"), str(tmp_path / "r.json"), "--replay"])
    out = capsys.readouterr().out
    assert code == 1 and "抽取复现：与种子不一致" in out and words in out


def test_the_stored_panel_is_checked_against_its_commitment(s: Session) -> None:
    """Even with the parts gone from both places (as the old decline left them, or as a
    hand-edit would), the database's commitment makes the replay fail."""
    panel, ds = _declined_panel(s)

    def gone(doc: dict[str, Any]) -> None:
        del doc["seed_parts"]
        del doc["original"]["seed_parts"]

    panel.result_json = dump_result(json.loads(_forged(panel, gone)))
    assert replay_files(svc.package_of(panel), svc.result_bytes(panel)).same  # file alone
    outcome = svc.replay(s, panel)
    assert not outcome.same and f"第{ds.id}号抽取承诺" in outcome.message
    assert "种子的两部分缺失" in outcome.message


def test_pages_and_exports_show_the_parts_after_a_decline(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    with session_scope(make_session_factory(demo_db)) as s:
        ds = s.scalars(select(DrawSession)).one()
        commitment, part_a = ds.commitment, ds.office_part
        leaving = svc.result_of(s.get(Panel, panel_id))["members"][0]
    token = csrf_token(client, f"/office/panels/{panel_id}")
    resp = client.post(
        f"/office/panels/{panel_id}/decline",
        data={"csrf_token": token, "expert": leaving, "reason": "出差"},
    )
    assert resp.status_code == 302
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    assert "请辞" in page and 'id="seed-parts"' in page
    for words in (commitment, part_a, "监督人 42"):
        assert words in page
    printed = client.get(f"/office/panels/{panel_id}/print").get_data(as_text=True)
    assert 'id="print-seed-parts"' in printed and commitment in printed and part_a in printed
    wb = load_workbook(io.BytesIO(client.get(f"/office/panels/{panel_id}/export.xlsx").data))
    info = {row[0]: row[1] for row in wb["抽取信息（预览）"].iter_rows(values_only=True)}
    assert info["承诺值（抽取前公示）"] == commitment
    assert info["第一部分（系统生成，抽取后公开）"] == part_a
    assert info["第二部分（jianguan）"] == "监督人 42"
    do_login(client, "jianguan")
    page = client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)
    assert commitment in page and part_a in page and "与种子一致" in page
    result = client.get(f"/regulator/panels/{panel_id}/result.json").data
    assert json.loads(result)["seed_parts"]["commitment"] == commitment
